/**
 * Leaderboards on this run's backends: records in PostgreSQL or PGlite, ranks in Redis or memory.
 */
import { describe, expect, it } from 'vitest';
import { LeaderboardError, Leaderboards, MemoryRankIndex } from '../src/leaderboards/index.js';
import { useLeaderboardBackends } from './support/leaderboards.js';

const backends = useLeaderboardBackends();
let now = new Date('2026-12-03T12:00:00Z'); // a Thursday
const clock = () => now;
const rankIndex = () => backends.rankIndex();
const newPlayers = (count: number, prefix = 'P') => backends.newPlayers(count, prefix);

const code = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeaderboardError);
  return (error as LeaderboardError).code;
};

describe('Leaderboards', () => {
  it('creates, lists and refuses a duplicate or invalid definition', async () => {
    const boards = new Leaderboards(backends.db, rankIndex(), clock);
    await boards.create({ id: 'defs.one', sortOrder: 'desc', operator: 'best', maxSize: 10 });
    expect(await code(boards.create({ id: 'defs.one', sortOrder: 'asc', operator: 'set' }))).toBe('board_exists');
    expect(await code(boards.create({ id: 'Not Valid', sortOrder: 'asc', operator: 'set' }))).toBe('invalid_definition');
    expect((await boards.list()).find((board) => board.id === 'defs.one')).toEqual({ id: 'defs.one', sortOrder: 'desc', operator: 'best', maxSize: 10 });
    expect(await code(boards.get('defs.none'))).toBe('board_not_found');
    expect(await code(boards.submit('defs.none', (await newPlayers(1))[0]!, { score: 1, subscore: 0 }))).toBe('board_not_found');
  });

  it('keeps best of one attempt, ranks with the tie rule, and answers top, me and around at the edges', async () => {
    const boards = new Leaderboards(backends.db, rankIndex(), clock);
    await boards.create({ id: 'ranks', sortOrder: 'desc', operator: 'best' });
    const ids = await newPlayers(6, 'Rank');
    for (const [i, id] of ids.entries()) await boards.submit('ranks', id, { score: 100 - i * 10, subscore: 0 }, { attempt: i });
    const kept = await boards.submit('ranks', ids[0]!, { score: 90, subscore: 99 });
    expect(kept).toMatchObject({ rank: 1, score: 100, subscore: 0, attempts: 2, metadata: { attempt: 0 } });
    now = new Date(now.getTime() + 1000);
    // Equal to ids[1]'s (90, 0) but later: ranks after it.
    await boards.submit('ranks', ids[5]!, { score: 90, subscore: 0 });
    const top = await boards.top('ranks', { limit: 3 });
    expect(top.map((entry) => [entry.rank, entry.displayName, entry.score])).toEqual([[1, 'Rank0', 100], [2, 'Rank1', 90], [3, 'Rank5', 90]]);
    expect((await boards.top('ranks', { limit: 3, offset: 3 })).map((entry) => entry.displayName)).toEqual(['Rank2', 'Rank3', 'Rank4']);
    expect(await boards.top('ranks', { offset: 6 })).toEqual([]);
    expect((await boards.around('ranks', ids[0]!, 2)).map((entry) => entry.rank)).toEqual([1, 2, 3]);
    expect((await boards.around('ranks', ids[4]!, 2)).map((entry) => entry.rank)).toEqual([4, 5, 6]);
    expect(await boards.entryOf('ranks', (await newPlayers(1))[0]!)).toBeUndefined();
    expect(await boards.around('ranks', 'b1a7f7c2-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('sums concurrent increments exactly, with negative values, from two nodes', async () => {
    await new Leaderboards(backends.db, rankIndex(), clock).create({ id: 'coins', sortOrder: 'desc', operator: 'incr' });
    const nodes = [new Leaderboards(backends.db, rankIndex(), clock), new Leaderboards(backends.db, rankIndex(), clock)];
    const [rich, poor] = await newPlayers(2, 'Coins');
    const deltas = Array.from({ length: 40 }, (_, i) => (i % 5) - 1);
    await Promise.all(deltas.flatMap((delta, i) => [nodes[i % 2]!.submit('coins', rich!, { score: delta, subscore: 0 }), nodes[(i + 1) % 2]!.submit('coins', poor!, { score: -delta, subscore: 0 })]));
    const sum = deltas.reduce((total, delta) => total + delta, 0);
    const top = await nodes[0]!.top('coins');
    expect(top.map((entry) => [entry.playerId, entry.score, entry.attempts])).toEqual([[rich, sum, 40], [poor, -sum, 40]]);
  });

  it('refuses new players on a full board but still takes attempts of those on it', async () => {
    const boards = new Leaderboards(backends.db, rankIndex(), clock);
    await boards.create({ id: 'capped', sortOrder: 'asc', operator: 'best', maxSize: 2 });
    const [a, b, c] = await newPlayers(3, 'Cap');
    await boards.submit('capped', a!, { score: 50, subscore: 0 });
    await boards.submit('capped', b!, { score: 40, subscore: 0 });
    expect(await code(boards.submit('capped', c!, { score: 1, subscore: 0 }))).toBe('board_full');
    expect((await boards.submit('capped', a!, { score: 30, subscore: 0 })).rank).toBe(1);
    expect(await boards.entryOf('capped', c!)).toBeUndefined();
  });

  it('starts a new period on the schedule, keeps the old one readable, and refuses writes outside the window', async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const boards = new Leaderboards(backends.db, rankIndex(), clock);
    await boards.create({ id: 'weekly', sortOrder: 'desc', operator: 'incr', resetSchedule: '0 0 * * 1', durationSeconds: 6 * 86_400 });
    const [ann] = await newPlayers(1, 'Weekly');
    await boards.submit('weekly', ann!, { score: 5, subscore: 0 });
    now = new Date('2026-12-06T23:00:00Z'); // Sunday: after the six-day window
    expect(await code(boards.submit('weekly', ann!, { score: 1, subscore: 0 }))).toBe('outside_window');
    now = new Date('2026-12-07T00:00:00Z');
    expect(await boards.top('weekly')).toEqual([]);
    expect((await boards.submit('weekly', ann!, { score: 2, subscore: 0 })).score).toBe(2);
    const lastWeek = Date.parse('2026-11-30T00:00:00Z') / 1000;
    expect((await boards.top('weekly', { periodId: lastWeek })).map((entry) => entry.score)).toEqual([5]);
  });

  it('rebuilds missing ranks from the database, equal to the live ones', async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const live = new Leaderboards(backends.db, rankIndex(), clock);
    await live.create({ id: 'rebuilt', sortOrder: 'desc', operator: 'set' });
    const ids = await newPlayers(30, 'Re');
    for (const [i, id] of ids.entries()) await live.submit('rebuilt', id, { score: (i * 7) % 11, subscore: i % 3 });
    const before = await live.top('rebuilt', { limit: 100 });
    const fresh = new Leaderboards(backends.db, backends.rankIndex('fresh:'), clock);
    expect(await fresh.top('rebuilt', { limit: 100 })).toEqual(before);
    expect(before).toHaveLength(30);
  });

  it('rebuilds an empty index once for many concurrent readers', async () => {
    const live = new Leaderboards(backends.db, rankIndex(), clock);
    await live.create({ id: 'crowded', sortOrder: 'desc', operator: 'set' });
    for (const [i, id] of (await newPlayers(5, 'Crowd')).entries()) await live.submit('crowded', id, { score: i, subscore: 0 });
    const fresh = new MemoryRankIndex();
    let clears = 0;
    const clear = fresh.clear.bind(fresh);
    fresh.clear = async (period) => {
      clears++;
      await clear(period);
    };
    const reader = new Leaderboards(backends.db, fresh, clock);
    const pages = await Promise.all(Array.from({ length: 6 }, () => reader.top('crowded')));
    expect(clears).toBe(1);
    for (const page of pages) expect(page.map((entry) => entry.score)).toEqual([4, 3, 2, 1, 0]);
  });

  it('refuses scores that are not whole numbers and oversized metadata', async () => {
    const boards = new Leaderboards(backends.db, rankIndex(), clock);
    await boards.create({ id: 'strict', sortOrder: 'desc', operator: 'set' });
    const [p] = await newPlayers(1, 'Strict');
    expect(await code(boards.submit('strict', p!, { score: 1.5, subscore: 0 }))).toBe('invalid_score');
    expect(await code(boards.submit('strict', p!, { score: 1, subscore: 0 }, { blob: 'x'.repeat(5000) }))).toBe('invalid_score');
    expect(await boards.entryOf('strict', p!)).toBeUndefined();
  });
});
