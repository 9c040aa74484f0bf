import { MemoryCache } from './memory.js';
import { RedisCache } from './redis.js';
import type { Cache, CacheHooks } from './types.js';

export { RedisCache } from './redis.js';
export { CacheUnavailableError, type Cache, type CacheHooks, type WindowCount } from './types.js';

export interface CacheSettings {
  url: string | undefined;
  poolSize: number;
  keyPrefix: string;
}

/** Redis when a URL is configured, an in-process map otherwise. */
export async function openCache(settings: CacheSettings, hooks: CacheHooks = {}): Promise<Cache> {
  return settings.url
    ? RedisCache.connect({ url: settings.url, poolSize: settings.poolSize, keyPrefix: settings.keyPrefix }, hooks)
    : new MemoryCache();
}

/**
 * Subscribes to a channel whose messages are JSON; one that does not parse is skipped and `unreadable` told,
 * so a bad publisher cannot break the subscribers.
 */
export function subscribeJson<T>(
  cache: Pick<Cache, 'subscribe'>,
  channel: string,
  handler: (message: T) => void,
  unreadable: () => void,
): Promise<() => Promise<void>> {
  return cache.subscribe(channel, (text) => {
    let message: T;
    try {
      message = JSON.parse(text) as T;
    } catch {
      unreadable();
      return;
    }
    handler(message);
  });
}
