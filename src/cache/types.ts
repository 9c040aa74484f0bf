/** Shared short-lived state: sessions and rate-limit counters now, room state and presence later. */
export interface Cache {
  readonly backend: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Stores a value, expiring after `ttlSeconds` when given. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Counts one hit in a fixed window: the first hit opens a window of `windowSeconds`; later hits in it
   * increment the same counter. Atomic across nodes on Redis.
   */
  hit(key: string, windowSeconds: number): Promise<WindowCount>;
  /** Sends a message to every subscriber of `channel` on every node. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for each message on `channel`; resolves once listening, with a function that stops it. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the cache answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface WindowCount {
  count: number;
  /** Milliseconds until the window closes and the count starts again. */
  resetInMs: number;
}

export interface CacheHooks {
  onConnectionError?(error: Error): void;
}

/** The cache cannot be reached; the message says where and why. */
export class CacheUnavailableError extends Error {
  override name = 'CacheUnavailableError';
}
