import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryCache } from '../src/cache/memory.js';
import { SessionClaims } from '../src/gateway/ws/sessions.js';

interface Heard {
  player: string;
  session: string;
}

/** A SessionClaims over `cache` that keeps what it hears and what it logs at warn level or above. */
async function started(cache: MemoryCache) {
  const heard: Heard[] = [];
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
  const claims = new SessionClaims(cache, logger);
  await claims.start((player, session) => heard.push({ player, session }));
  return { claims, heard, warnings };
}

/** Resolves once `heard` holds `count` entries. */
const hearing = (heard: Heard[], count: number) => expect.poll(() => heard.length).toBe(count);

let cache: MemoryCache;
beforeEach(() => {
  cache = new MemoryCache();
});
afterEach(() => cache.close());

describe('SessionClaims', () => {
  it('claims a fresh session each time', async () => {
    const { claims } = await started(cache);
    const first = await claims.claim('ann');
    const second = await claims.claim('ann');
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });

  it('announces a claim to every started SessionClaims on the cache, its own included', async () => {
    const here = await started(cache);
    const there = await started(cache);
    const session = await here.claims.claim('ann');
    await hearing(here.heard, 1);
    await hearing(there.heard, 1);
    expect(here.heard).toEqual([{ player: 'ann', session }]);
    expect(there.heard).toEqual([{ player: 'ann', session }]);
  });

  it('holds only the last claim of a player live', async () => {
    const { claims } = await started(cache);
    const older = await claims.claim('ann');
    expect(await claims.isLive('ann', older)).toBe(true);
    const newer = await claims.claim('ann');
    expect(await claims.isLive('ann', newer)).toBe(true);
    expect(await claims.isLive('ann', older)).toBe(false);
    expect(await claims.isLive('ann', undefined)).toBe(false);
    expect(await claims.isLive('bob', newer)).toBe(false);
  });

  it('keeps the players apart', async () => {
    const { claims } = await started(cache);
    const ann = await claims.claim('ann');
    const bob = await claims.claim('bob');
    expect(await claims.isLive('ann', ann)).toBe(true);
    expect(await claims.isLive('bob', bob)).toBe(true);
  });

  it('leaves exactly one of two simultaneous claims live', async () => {
    const here = await started(cache);
    const there = await started(cache);
    const sessions = await Promise.all([here.claims.claim('ann'), there.claims.claim('ann')]);
    const live = await Promise.all(sessions.map((session) => here.claims.isLive('ann', session)));
    expect([...live].sort()).toEqual([false, true]);
    expect(await there.claims.isLive('ann', sessions[live.indexOf(true)])).toBe(true);
    await hearing(here.heard, 2);
    expect(here.heard.map((h) => h.session).sort()).toEqual([...sessions].sort());
  });

  it('logs an unreadable message on its channel instead of throwing, and keeps listening', async () => {
    const subscribe = vi.spyOn(cache, 'subscribe');
    const { claims, heard, warnings } = await started(cache);
    const channel = subscribe.mock.calls[0]![0];
    await cache.publish(channel, 'not json');
    await cache.publish(channel, JSON.stringify({ player: 'ann' }));
    await cache.publish(channel, JSON.stringify({ player: 7, session: 'x' }));
    const session = await claims.claim('ann');
    await hearing(heard, 1);
    expect(heard).toEqual([{ player: 'ann', session }]);
    expect(warnings).toEqual(Array.from({ length: 3 }, () => 'unreadable message on the session channel'));
  });

  it('hears no more claims once stopped', async () => {
    const stopped = await started(cache);
    const listening = await started(cache);
    await stopped.claims.stop();
    const session = await listening.claims.claim('ann');
    await hearing(listening.heard, 1);
    expect(stopped.heard).toEqual([]);
    expect(await stopped.claims.isLive('ann', session)).toBe(true);
  });

  it('stops quietly when it was never started', async () => {
    const idle = new SessionClaims(cache, pino({ level: 'silent' }));
    await expect(idle.stop()).resolves.toBeUndefined();
  });
});
