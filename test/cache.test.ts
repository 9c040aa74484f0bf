import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheUnavailableError, openCache, RedisCache, type Cache } from '../src/cache/index.js';
import { MemoryCache } from '../src/cache/memory.js';
import type { Config } from '../src/config/index.js';
import { dropIsolation, testConfig } from './support/server.js';

interface Driver {
  name: string;
  /** Unset: the backend is not configured in this run, so its suite is skipped. */
  available: boolean;
  backend: Cache['backend'];
  /** Whether two caches opened by `open()` share their entries and channels (separate nodes on one Redis). */
  shared: boolean;
  config(): Config;
  open(config: Config): Promise<Cache>;
  /**
   * Lets a TTL of `seconds` run out and expects `read()` to give `expected` then: the memory cache's clock
   * jumps (after checking the TTL has not run out a millisecond earlier), Redis is polled.
   */
  expire<T>(seconds: number, read: () => Promise<T>, expected: T): Promise<void>;
}

let now = 1_700_000_000_000;

const memory: Driver = {
  name: 'MemoryCache',
  available: true,
  backend: 'memory',
  shared: false,
  config: () => testConfig({ REDIS_URL: '', DATABASE_URL: '' }),
  open: async () => new MemoryCache(() => now),
  async expire(seconds, read, expected) {
    now += seconds * 1000 - 1;
    expect(await read()).not.toEqual(expected);
    now += 1;
    expect(await read()).toEqual(expected);
  },
};

const redis: Driver = {
  name: 'RedisCache',
  available: Boolean(process.env.REDIS_URL),
  backend: 'redis',
  shared: true,
  config: () => testConfig({ DATABASE_URL: '' }),
  open: (config) => openCache(config.redis),
  async expire(seconds, read, expected) {
    await expect.poll(read, { timeout: seconds * 1000 + 2_000, interval: 100 }).toEqual(expected);
  },
};

for (const driver of [memory, redis]) {
  describe.skipIf(!driver.available)(driver.name, () => {
    let config: Config;
    let cache: Cache;

    beforeAll(async () => {
      config = driver.config();
      cache = await driver.open(config);
    });
    afterAll(async () => {
      await cache?.close();
      if (config) await dropIsolation(config);
    });

    it('is what openCache gives for the configuration', async () => {
      const opened = await openCache(config.redis);
      try {
        expect(opened.backend).toBe(driver.backend);
        expect(opened).toBeInstanceOf(driver.backend === 'redis' ? RedisCache : MemoryCache);
        expect(cache.backend).toBe(driver.backend);
      } finally {
        await opened.close();
      }
    });

    it('stores, reads and deletes values', async () => {
      expect(await cache.get('missing')).toBeNull();
      await cache.set('k', 'v');
      expect(await cache.get('k')).toBe('v');
      await cache.delete('k');
      expect(await cache.get('k')).toBeNull();
    });

    it('expires values after their TTL', async () => {
      await cache.set('short', 'v', 1);
      expect(await cache.get('short')).toBe('v');
      await driver.expire(1, () => cache.get('short'), null);
    });

    it('keeps values without a TTL', async () => {
      await cache.set('forever', 'v');
      await cache.set('brief-neighbour', 'v', 1);
      await driver.expire(1, () => cache.get('brief-neighbour'), null);
      expect(await cache.get('forever')).toBe('v');
    });

    it('counts hits in a fixed window, atomically under concurrency', async () => {
      const counts = await Promise.all(Array.from({ length: 20 }, () => cache.hit('window', 60)));
      expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const { resetInMs } of counts) {
        expect(resetInMs).toBeGreaterThan(0);
        expect(resetInMs).toBeLessThanOrEqual(60_000);
      }
    });

    it('starts a new window once the old one closes', async () => {
      await cache.hit('brief', 1);
      expect((await cache.hit('brief', 1)).count).toBe(2);
      await driver.expire(1, async () => (await cache.hit('brief', 1)).count, 1);
    });

    it('delivers messages to every subscriber of a channel until it unsubscribes', async () => {
      const other = await driver.open(config);
      try {
        const got: string[] = [];
        const stop = await cache.subscribe('news', (message) => got.push(`a:${message}`));
        await other.subscribe('news', (message) => got.push(`b:${message}`));
        await other.publish('news', 'hello');
        await expect.poll(() => got.sort()).toEqual(driver.shared ? ['a:hello', 'b:hello'] : ['b:hello']);
        await stop();
        await other.publish('news', 'again');
        await expect.poll(() => got.filter((m) => m.endsWith('again'))).toEqual(['b:again']);
      } finally {
        await other.close();
      }
    });

    it('delivers to each subscriber of one cache, and not after it unsubscribes', async () => {
      const got: string[] = [];
      const stopFirst = await cache.subscribe('local', (message) => got.push(`1:${message}`));
      const stopSecond = await cache.subscribe('local', (message) => got.push(`2:${message}`));
      await cache.publish('local', 'm');
      await expect.poll(() => [...got].sort()).toEqual(['1:m', '2:m']);
      await stopFirst();
      await cache.publish('local', 'n');
      await expect.poll(() => got.filter((m) => m.endsWith('n'))).toEqual(['2:n']);
      await stopSecond();
    });

    it('reports a closed cache as unavailable', async () => {
      const other = await driver.open(config);
      await other.close();
      await expect(other.ping()).rejects.toThrow(CacheUnavailableError);
      if (driver.backend === 'memory') {
        await expect(other.get('k')).rejects.toThrow(CacheUnavailableError);
        await expect(other.set('k', 'v')).rejects.toThrow(CacheUnavailableError);
      }
    });
  });
}

describe('unreachable Redis', () => {
  it('fails at start with a clear error naming the server', async () => {
    const settings = { ...testConfig().redis, url: 'redis://127.0.0.1:1/0' };
    await expect(openCache(settings)).rejects.toThrow(CacheUnavailableError);
    await expect(openCache(settings)).rejects.toThrow(/cannot connect to Redis at 127\.0\.0\.1:1/);
  });
});
