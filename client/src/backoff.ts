export interface ReconnectOptions {
  /** Reconnect after an unexpected close. Default true. */
  enabled?: boolean;
  /** Attempts before giving up (then `reconnect_failed`). Default 10. */
  maxAttempts?: number;
  /** Shortest delay before an attempt (the first waits 1–2× this). Default 250 ms. */
  minDelayMs?: number;
  /** Longest delay before an attempt. Default 5000 ms. */
  maxDelayMs?: number;
  /**
   * A connection (or a connection attempt) that hears nothing from the server for this long counts as lost, as
   * if it had closed: a frozen server or a dead network path closes nothing. The SDK pings after 40 % of it.
   * Default 5000 ms; 0: wait for the close.
   */
  silenceMs?: number;
}

export type ResolvedReconnectOptions = Required<ReconnectOptions>;

export function resolveReconnectOptions(options: ReconnectOptions = {}): ResolvedReconnectOptions {
  return {
    enabled: options.enabled ?? true,
    maxAttempts: options.maxAttempts ?? 10,
    minDelayMs: options.minDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 5000,
    silenceMs: options.silenceMs ?? 5000,
  };
}

/**
 * Exponential backoff with "equal jitter": the ceiling doubles per attempt, from 2 × minDelayMs up to
 * maxDelayMs, and the delay is half of it plus a random share of the other half. Every delay thus lies in
 * [minDelayMs, maxDelayMs], and clients dropped together spread out instead of retrying in lockstep.
 */
export function backoffDelay(attempt: number, options: Pick<ResolvedReconnectOptions, 'minDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const { minDelayMs, maxDelayMs } = options;
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(1, attempt));
  return Math.round(Math.min(maxDelayMs, Math.max(minDelayMs, ceiling / 2 + (random() * ceiling) / 2)));
}
