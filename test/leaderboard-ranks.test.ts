import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareRecords,
  MemoryRankIndex,
  RedisRankIndex,
  sortedSetEntry,
  type RankedRecord,
  type RankIndex,
} from '../src/leaderboards/index.js';
import { isolation } from './support/server.js';

interface Opened {
  index: RankIndex;
  /** Another node's handle on the same ranks (the same index in memory). */
  peer(): RankIndex;
  close(): Promise<void>;
}

const drivers: { name: string; available: boolean; open(): Opened }[] = [
  {
    name: 'MemoryRankIndex',
    available: true,
    open() {
      const index = new MemoryRankIndex();
      return { index, peer: () => index, close: async () => undefined };
    },
  },
  {
    name: 'RedisRankIndex',
    available: Boolean(process.env.REDIS_URL),
    open() {
      const { keyPrefix } = isolation();
      const connections: Redis[] = [];
      const connect = () => {
        const connection = new Redis(process.env.REDIS_URL!, { keyPrefix });
        connections.push(connection);
        return new RedisRankIndex(connection);
      };
      return {
        index: connect(),
        peer: connect,
        async close() {
          const plain = new Redis(process.env.REDIS_URL!);
          const keys = await plain.keys(`${keyPrefix}*`);
          if (keys.length > 0) await plain.del(...keys);
          await Promise.all([plain, ...connections].map((connection) => connection.quit()));
        },
      };
    },
  },
];

const record = (playerId: string, score: number, subscore = 0, updatedAt = 1): RankedRecord => ({ playerId, score, subscore, updatedAt, attempts: 1 });
const PERIOD = 'kills:0';

for (const driver of drivers) {
  describe.runIf(driver.available)(driver.name, () => {
    let opened: Opened;
    let index: RankIndex;
    const put = (r: RankedRecord, order: 'desc' | 'asc' = 'desc', on = index) => on.put(PERIOD, r.playerId, sortedSetEntry(r, order));
    beforeEach(() => {
      opened = driver.open();
      index = opened.index;
    });
    afterEach(() => opened.close());

    it('ranks players in the tie rule order and moves a player whose entry is replaced', async () => {
      await put(record('ann', 10));
      await put(record('bob', 30));
      await put(record('cat', 20));
      expect(await index.range(PERIOD, 0, 10)).toEqual(['bob', 'cat', 'ann']);
      await put(record('ann', 40, 0, 2));
      expect(await index.range(PERIOD, 0, 10)).toEqual(['ann', 'bob', 'cat']);
      expect(await index.rankOf(PERIOD, 'ann')).toBe(0);
      expect(await index.rankOf(PERIOD, 'cat')).toBe(2);
      expect(await index.size(PERIOD)).toBe(3);
    });

    it('keeps the newer entry when an older write of the same record is indexed after it', async () => {
      const newer = { ...record('ann', 50, 0, 9), attempts: 3 };
      const older = { ...record('ann', 10, 0, 5), attempts: 2 };
      await put(record('bob', 30));
      await put(newer);
      await put(older, 'desc', opened.peer());
      expect(await index.range(PERIOD, 0, 10)).toEqual(['ann', 'bob']);
      await put({ ...record('ann', 5, 0, 11), attempts: 4 });
      expect(await index.range(PERIOD, 0, 10)).toEqual(['bob', 'ann']);
      expect(await index.size(PERIOD)).toBe(2);
    });

    it('answers unknown players, empty periods and ranges past either edge', async () => {
      expect(await index.rankOf(PERIOD, 'nobody')).toBeUndefined();
      expect(await index.range(PERIOD, 0, 5)).toEqual([]);
      expect(await index.size(PERIOD)).toBe(0);
      for (const [name, score] of [['a', 5], ['b', 4], ['c', 3]] as const) await put(record(name, score));
      expect(await index.range(PERIOD, -2, 3)).toEqual(['a']); // "around" the first: nothing above it
      expect(await index.range(PERIOD, 2, 3)).toEqual(['c']); // around the last: nothing below it
      expect(await index.range(PERIOD, 3, 3)).toEqual([]);
      expect(await index.range(PERIOD, 1, 0)).toEqual([]);
    });

    it('removes a player and clears a period without touching other periods', async () => {
      await put(record('ann', 1));
      await put(record('bob', 2));
      await index.put('kills:604800', 'ann', sortedSetEntry(record('ann', 9), 'desc'));
      await index.remove(PERIOD, 'bob');
      await index.remove(PERIOD, 'never-there');
      expect(await index.range(PERIOD, 0, 10)).toEqual(['ann']);
      await index.clear(PERIOD);
      expect(await index.size(PERIOD)).toBe(0);
      expect(await index.rankOf('kills:604800', 'ann')).toBe(0);
    });

    it('puts many entries as one put each would, in the layout later puts and reads work on', async () => {
      await put(record('ann', 10));
      await index.putMany(PERIOD, [
        ['bob', sortedSetEntry(record('bob', 30), 'desc')],
        ['ann', sortedSetEntry({ ...record('ann', 50, 0, 2), attempts: 2 }, 'desc')],
        ['cat', sortedSetEntry(record('cat', 20), 'desc')],
      ]);
      expect(await index.range(PERIOD, 0, 10)).toEqual(['ann', 'bob', 'cat']);
      expect(await opened.peer().rankOf(PERIOD, 'cat')).toBe(2);
      await put({ ...record('ann', 5, 0, 3), attempts: 3 });
      await index.remove(PERIOD, 'bob');
      expect(await index.range(PERIOD, 0, 10)).toEqual(['cat', 'ann']);
      expect(await index.size(PERIOD)).toBe(2);
      await index.putMany(PERIOD, []);
      expect(await index.size(PERIOD)).toBe(2);
    });

    it('keeps the newer entry when many are put: over a held one, and between two of one player in a batch', async () => {
      await put({ ...record('ann', 50, 0, 9), attempts: 3 }); // a live write racing a rebuild that read attempt 2
      await index.putMany(PERIOD, [
        ['ann', sortedSetEntry({ ...record('ann', 10, 0, 5), attempts: 2 }, 'desc')],
        ['bob', sortedSetEntry({ ...record('bob', 40, 0, 7), attempts: 2 }, 'desc')],
        ['bob', sortedSetEntry({ ...record('bob', 1, 0, 6), attempts: 1 }, 'desc')],
        ['cat', sortedSetEntry({ ...record('cat', 1, 0, 6), attempts: 1 }, 'desc')],
        ['cat', sortedSetEntry({ ...record('cat', 45, 0, 8), attempts: 1 }, 'desc')], // equal version: the later one
      ]);
      expect(await index.range(PERIOD, 0, 10)).toEqual(['ann', 'cat', 'bob']);
      expect(await index.size(PERIOD)).toBe(3);
    });

    it('puts batches larger than one script call, new and replacing, and ranks them like a sort by the tie rule', async () => {
      const fresh = Array.from({ length: 2_500 }, (_, i) => record(`p${String(i).padStart(4, '0')}`, (i * 7_919) % 1_000, i % 3, i % 5));
      const rewritten = fresh.filter((_, i) => i % 3 === 0).map((r, i) => ({ ...r, score: (i * 31) % 1_000, attempts: 2 }));
      const latest = new Map<string, RankedRecord>();
      for (const batch of [fresh, rewritten]) {
        await index.putMany(PERIOD, batch.map((r) => [r.playerId, sortedSetEntry(r, 'asc')]));
        for (const r of batch) latest.set(r.playerId, r);
        const expected = [...latest.values()].sort((a, b) => compareRecords(a, b, 'asc')).map((r) => r.playerId);
        expect(await index.size(PERIOD)).toBe(fresh.length);
        expect(await index.range(PERIOD, 0, fresh.length)).toEqual(expected);
        for (const rank of [0, 1_234, 2_499]) expect(await opened.peer().rankOf(PERIOD, expected[rank]!)).toBe(rank);
      }
    });

    it('matches a sort by the tie rule after many random writes from two nodes, on both sort orders', async () => {
      let seed = 11;
      const random = (n: number) => Math.floor(((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * n);
      for (const order of ['desc', 'asc'] as const) {
        const latest = new Map<string, RankedRecord>();
        const other = opened.peer();
        const writes = Array.from({ length: 300 }, (_, step) => record(`p${random(60)}`, random(9) - 4, random(3) - 1, step));
        await Promise.all(
          writes.map((r, step) => {
            latest.set(r.playerId, r); // writes of one player are issued in order on one connection
            return put(r, order, Number(r.playerId.slice(1)) % 2 === 0 ? index : other);
          }),
        );
        const expected = [...latest.values()].sort((a, b) => compareRecords(a, b, order)).map((r) => r.playerId);
        expect(await index.range(PERIOD, 0, 1000)).toEqual(expected);
        for (const [rank, playerId] of expected.entries()) expect(await other.rankOf(PERIOD, playerId)).toBe(rank);
        await index.clear(PERIOD);
      }
    });
  });
}
