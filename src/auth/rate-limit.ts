import type { Cache } from '../cache/index.js';
import { AppError } from '../errors/index.js';

export interface Limit {
  /** Names the counter family and the metric label, e.g. `ip` or `account`. */
  scope: string;
  /** What is being counted: an IP address, an email, … */
  subject: string;
  max: number;
  windowSeconds: number;
}

/**
 * Fixed-window rate limits kept in the shared cache, so on Redis a client meets the same limit on every
 * node. `onLimited` lets the caller count refusals.
 */
export class RateLimiter {
  constructor(
    private readonly cache: Cache,
    private readonly enabled: boolean,
    private readonly onLimited: (scope: string) => void = () => undefined,
  ) {}

  /** Counts one attempt against each limit; throws 429 with Retry-After when any is exceeded. */
  async consume(action: string, limits: readonly Limit[]): Promise<void> {
    if (!this.enabled) return;
    const counts = await Promise.all(
      limits.map((limit) => this.cache.hit(`ratelimit:${action}:${limit.scope}:${limit.subject}`, limit.windowSeconds)),
    );
    limits.forEach((limit, i) => {
      const { count, resetInMs } = counts[i]!;
      if (count <= limit.max) return;
      this.onLimited(limit.scope);
      const retryAfter = Math.max(1, Math.ceil(resetInMs / 1000));
      throw new AppError('rate_limited', 'rate_limited', `too many ${action} attempts for this ${limit.scope}; retry in ${retryAfter} s`, {
        'retry-after': String(retryAfter),
      });
    });
  }
}
