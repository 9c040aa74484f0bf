/** The pure pieces behind the operators' figures: queue buckets and recent-sample quantiles. */
import { describe, expect, it } from 'vitest';
import { queueBuckets, type Ticket } from '../src/matchmaking/index.js';
import { RecentSamples } from '../src/metrics/recent.js';

const ticket = (gameMode: string, region: string, enqueuedAt: number, players = 1): Ticket => ({
  id: `${gameMode}-${region}-${enqueuedAt}`,
  gameMode,
  region,
  players: Array.from({ length: players }, (_, i) => ({ playerId: `p${enqueuedAt}-${i}`, rating: 1200 })),
  enqueuedAt,
  maxWaitSeconds: 60,
  priority: false,
});

describe('queueBuckets', () => {
  it('sums players per mode and region, keeps the oldest wait and sorts the buckets', () => {
    const now = 10_000;
    expect(queueBuckets([ticket('tdm', 'eu', 9_000), ticket('dm', 'us', 4_000, 3), ticket('dm', 'us', 8_000), ticket('dm', 'eu', 9_500)], now)).toEqual([
      { gameMode: 'dm', region: 'eu', size: 1, oldestWaitMs: 500 },
      { gameMode: 'dm', region: 'us', size: 4, oldestWaitMs: 6_000 },
      { gameMode: 'tdm', region: 'eu', size: 1, oldestWaitMs: 1_000 },
    ]);
  });

  it('is empty without tickets and never reports a negative wait (a clock behind the queue time)', () => {
    expect(queueBuckets([], 0)).toEqual([]);
    expect(queueBuckets([ticket('dm', 'eu', 5_000)], 4_000)[0]!.oldestWaitMs).toBe(0);
  });
});

describe('RecentSamples', () => {
  it('gives nearest-rank quantiles of what it holds, 0 before any sample', () => {
    const samples = new RecentSamples(100);
    expect(samples.quantile(0.99)).toBe(0);
    for (let i = 1; i <= 100; i++) samples.record(i);
    expect(samples.quantile(0.99)).toBe(99);
    expect(samples.quantile(0.5)).toBe(50);
    expect(samples.quantile(1)).toBe(100);
  });

  it('keeps only the newest `capacity` samples', () => {
    const samples = new RecentSamples(3);
    for (const value of [100, 200, 300, 1, 2]) samples.record(value);
    expect(samples.count).toBe(3);
    expect(samples.quantile(1)).toBe(300);
    samples.record(3);
    expect(samples.quantile(1)).toBe(3);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentSamples(0)).toThrow(RangeError);
    expect(() => new RecentSamples(1.5)).toThrow(RangeError);
  });
});
