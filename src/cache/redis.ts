import { Redis } from 'ioredis';
import { CacheUnavailableError, type Cache, type CacheHooks, type WindowCount } from './types.js';

export interface RedisOptions {
  url: string;
  poolSize: number;
  keyPrefix: string;
}

// INCR and the window's expiry in one atomic step, so two nodes never both open a window.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

type HitCommand = (key: string, windowMs: number) => Promise<[number, number]>;

function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 6379}`;
}

/** Redis-backed cache shared by every node; commands are spread over a few pipelined connections. */
export class RedisCache implements Cache {
  readonly backend = 'redis' as const;
  private next = 0;
  /** A connection in subscriber mode can run no other command, so pub/sub gets its own, made on first use. */
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  private constructor(
    private readonly clients: Redis[],
    private readonly hooks: CacheHooks,
    private readonly keyPrefix: string,
  ) {}

  /** One of the pooled connections, for subsystems that need Redis itself (scripts, sorted sets). */
  get client(): Redis {
    return this.clients[this.next++ % this.clients.length]!;
  }

  static async connect(options: RedisOptions, hooks: CacheHooks = {}): Promise<RedisCache> {
    const clients = Array.from({ length: options.poolSize }, () => {
      const client = new Redis(options.url, {
        lazyConnect: true,
        keyPrefix: options.keyPrefix,
        connectTimeout: 5_000,
        // Fail commands at once while disconnected instead of queueing them behind a dead server.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      });
      client.on('error', (error: Error) => hooks.onConnectionError?.(error));
      client.defineCommand('gamev1Hit', { numberOfKeys: 1, lua: HIT_SCRIPT });
      return client;
    });
    try {
      await Promise.all(clients.map((client) => client.connect()));
    } catch (error) {
      for (const client of clients) client.disconnect();
      throw new CacheUnavailableError(`cannot connect to Redis at ${describe(options.url)}: ${(error as Error).message}`);
    }
    return new RedisCache(clients, hooks, options.keyPrefix);
  }

  get(key: string): Promise<string | null> {
    return this.run((client) => client.get(key));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.run((client) => (ttlSeconds ? client.set(key, value, 'EX', ttlSeconds) : client.set(key, value)));
  }

  async delete(key: string): Promise<void> {
    await this.run((client) => client.del(key));
  }

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const [count, resetInMs] = await this.run((client) =>
      (client as unknown as { gamev1Hit: HitCommand }).gamev1Hit(key, windowSeconds * 1000),
    );
    return { count, resetInMs };
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.run((client) => client.publish(this.keyPrefix + channel, message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    const name = this.keyPrefix + channel;
    if (!this.subscriber) {
      const subscriber = this.clients[0]!.duplicate({ enableOfflineQueue: true, keyPrefix: '' });
      subscriber.on('error', (error: Error) => this.hooks.onConnectionError?.(error));
      subscriber.on('message', (from: string, message: string) => {
        for (const listener of this.handlers.get(from) ?? []) listener(message);
      });
      this.subscriber = subscriber;
      await subscriber.connect();
    }
    const handlers = this.handlers.get(name) ?? new Set();
    if (handlers.size === 0) await this.subscriber.subscribe(name);
    handlers.add(handler);
    this.handlers.set(name, handlers);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0) await this.subscriber?.unsubscribe(name).catch(() => undefined);
    };
  }

  async ping(): Promise<void> {
    await this.run((client) => client.ping());
  }

  async close(): Promise<void> {
    const connections = this.subscriber ? [...this.clients, this.subscriber] : this.clients;
    await Promise.all(connections.map((client) => client.quit().catch(() => client.disconnect())));
  }

  private async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.clients[this.next++ % this.clients.length]!;
    try {
      return await command(client);
    } catch (error) {
      this.hooks.onConnectionError?.(error as Error);
      throw new CacheUnavailableError(`Redis command failed: ${(error as Error).message}`);
    }
  }
}
