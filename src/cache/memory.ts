import { CacheUnavailableError, type Cache, type WindowCount } from './types.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Single-process cache for development and single-node deployments. */
export class MemoryCache implements Cache {
  readonly backend = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly channels = new Map<string, Set<(message: string) => void>>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {
    // Expired entries are dropped on read; the sweep bounds memory held by keys nobody reads again.
    this.sweeper = setInterval(() => this.sweep(), 30_000).unref();
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.assertOpen();
    this.entries.set(key, { value, expiresAt: ttlSeconds ? this.now() + ttlSeconds * 1000 : Infinity });
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    this.entries.delete(key);
  }

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const entry = this.live(key);
    const now = this.now();
    if (!entry) {
      this.entries.set(key, { value: '1', expiresAt: now + windowSeconds * 1000 });
      return { count: 1, resetInMs: windowSeconds * 1000 };
    }
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return { count, resetInMs: entry.expiresAt - now };
  }

  async publish(channel: string, message: string): Promise<void> {
    this.assertOpen();
    // Delivered asynchronously, as Redis would, so publishers never run subscriber code inline.
    for (const handler of this.channels.get(channel) ?? []) queueMicrotask(() => handler(message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const handlers = this.channels.get(channel) ?? new Set();
    handlers.add(handler);
    this.channels.set(channel, handlers);
    return async () => {
      handlers.delete(handler);
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.entries.clear();
    this.channels.clear();
  }

  private live(key: string): Entry | undefined {
    this.assertOpen();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheUnavailableError('memory cache is closed');
  }
}
