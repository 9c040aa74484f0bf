import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheUnavailableError, openCache, type Cache } from '../src/cache/index.js';
import { dropIsolation, realBackends, testConfig } from './support/server.js';

const config = testConfig();
let cache: Cache;

beforeAll(async () => {
  cache = await openCache(config.redis);
});
afterAll(async () => {
  await cache?.close();
  await dropIsolation(config);
});

describe(`cache on ${realBackends ? 'Redis' : 'memory'}`, () => {
  it('uses the backend the configuration asks for', () => {
    expect(cache.backend).toBe(config.redis.url ? 'redis' : 'memory');
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
    await expect.poll(() => cache.get('short'), { timeout: 3_000, interval: 100 }).toBeNull();
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
    await expect.poll(async () => (await cache.hit('brief', 1)).count, { timeout: 3_000, interval: 200 }).toBe(1);
  });
});

describe('publish and subscribe', () => {
  it('delivers messages to every subscriber of a channel until it unsubscribes', async () => {
    const other = await openCache(config.redis);
    try {
      const got: string[] = [];
      const stop = await cache.subscribe('news', (message) => got.push(`a:${message}`));
      await other.subscribe('news', (message) => got.push(`b:${message}`));
      await other.publish('news', 'hello');
      await expect.poll(() => got.sort()).toEqual(realBackends ? ['a:hello', 'b:hello'] : ['b:hello']);
      await stop();
      await other.publish('news', 'again');
      await expect.poll(() => got.filter((m) => m.endsWith('again'))).toEqual(['b:again']);
    } finally {
      await other.close();
    }
  });
});

describe('unreachable cache', () => {
  it('fails at start with a clear error naming the server', async () => {
    const settings = { ...config.redis, url: 'redis://127.0.0.1:1/0' };
    await expect(openCache(settings)).rejects.toThrow(CacheUnavailableError);
    await expect(openCache(settings)).rejects.toThrow(/cannot connect to Redis at 127\.0\.0\.1:1/);
  });

  it('reports a closed cache as unavailable', async () => {
    const other = await openCache(config.redis);
    await other.close();
    await expect(other.ping()).rejects.toThrow(CacheUnavailableError);
  });
});
