/**
 * Leaderboard upkeep and server-written boards on this run's backends: periods closing exactly once across
 * two nodes, indexes repaired from the database, friends' ranks, and the built-in rating boards.
 */
import { describe, expect, it } from 'vitest';
import {
  LeaderboardError,
  LeaderboardSweep,
  Leaderboards,
  RatingBoards,
  periodIndexName,
  ratingBoardId,
  type ClosedPeriod,
  type SweepEvents,
} from '../src/leaderboards/index.js';
import { fieldOutcome } from '../src/rating/index.js';
import { useLeaderboardBackends } from './support/leaderboards.js';

const backends = useLeaderboardBackends();
let now = new Date('2026-12-03T12:00:00Z');
const clock = () => now;
const newPlayers = (count: number, prefix: string) => backends.newPlayers(count, prefix);

const events = (): SweepEvents & { closed: ClosedPeriod[]; rebuilds: number } => {
  const seen = { closed: [] as ClosedPeriod[], rebuilds: 0 };
  return Object.assign(seen, {
    periodClosed: (closed: ClosedPeriod) => void seen.closed.push(closed),
    rebuilt: () => void seen.rebuilds++,
  });
};

/** One node: its service, its sweep and what the sweep reported. */
function node() {
  const index = backends.rankIndex();
  const boards = new Leaderboards(backends.db, index, clock);
  const reported = events();
  return { index, boards, reported, sweep: new LeaderboardSweep(backends.db, boards, index, clock, reported) };
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof LeaderboardError ? error.code : String(error)),
  );

describe('closing periods', () => {
  it('closes each ended period exactly once across two nodes, with the hooks in the same transaction', async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const [a, b] = [node(), node()];
    await a.boards.create({ id: 'daily', sortOrder: 'desc', operator: 'incr', resetSchedule: '0 0 * * *' });
    const ids = await newPlayers(3, 'Daily');
    for (const [i, id] of ids.entries()) await a.boards.submit('daily', id, { score: i + 1, subscore: 0 });
    const hookRuns: number[] = [];
    for (const { sweep } of [a, b]) {
      sweep.onPeriodClosed(async (tx, closed) => {
        // What a hook writes commits with the closing: here a reward row in a table of the test's own.
        await tx.query('CREATE TABLE IF NOT EXISTS test_rewards (board text, period bigint, winners int)');
        await tx.query('INSERT INTO test_rewards VALUES ($1, $2, $3)', [closed.boardId, closed.periodId, closed.records]);
        hookRuns.push(closed.periodId);
      });
    }
    const definition = await a.boards.get('daily');
    expect(await a.sweep.closeEndedPeriods(definition)).toEqual([]);

    now = new Date('2026-12-05T01:00:00Z'); // two periods later: only the one with records closes
    const [fromA, fromB] = await Promise.all([a.sweep.closeEndedPeriods(definition), b.sweep.closeEndedPeriods(definition)]);
    const dec3 = Date.parse('2026-12-03T00:00:00Z') / 1000;
    expect([...fromA, ...fromB]).toEqual([{ boardId: 'daily', periodId: dec3, records: 3 }]);
    expect(hookRuns).toEqual([dec3]);
    expect((await backends.db.query('SELECT board, period::float8 AS period, winners FROM test_rewards')).rows).toEqual([{ board: 'daily', period: dec3, winners: 3 }]);
    // Again, from either node: nothing more to close.
    expect(await a.sweep.closeEndedPeriods(definition)).toEqual([]);
    await b.sweep.sweep();
    expect(hookRuns).toHaveLength(1);
    expect(a.reported.closed.length + b.reported.closed.length).toBe(1);

    const { current, closed } = await a.boards.periods('daily');
    expect(current.id).toBe(Date.parse('2026-12-05T00:00:00Z') / 1000);
    expect(closed).toMatchObject([{ periodId: dec3, records: 3, start: new Date(dec3 * 1000), end: new Date('2026-12-04T00:00:00Z') }]);
    // The closed period stays readable, rebuilt from the database once its index is gone.
    await a.index.clear(periodIndexName('daily', dec3));
    expect((await b.boards.top('daily', { periodId: dec3 })).map((entry) => entry.score)).toEqual([3, 2, 1]);
  });

  it('leaves a period open when a hook fails, and closes it on the next sweep', async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const { boards, sweep } = node();
    await boards.create({ id: 'hourly', sortOrder: 'asc', operator: 'best', resetSchedule: '0 * * * *' });
    const [racer] = await newPlayers(1, 'Racer');
    await boards.submit('hourly', racer!, { score: 61_000, subscore: 0 });
    let failing = true;
    sweep.onPeriodClosed(async () => {
      if (failing) throw new Error('reward service down');
    });
    now = new Date('2026-12-03T13:00:01Z');
    const definition = await boards.get('hourly');
    await expect(sweep.closeEndedPeriods(definition)).rejects.toThrow('reward service down');
    expect((await boards.periods('hourly')).closed).toEqual([]);
    failing = false;
    expect(await sweep.closeEndedPeriods(definition)).toHaveLength(1);
  });
});

describe('reconciling indexes', () => {
  it('rebuilds an index that lost a record, and leaves one that is only catching up', async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const { boards, sweep, index, reported } = node();
    await boards.create({ id: 'drifting', sortOrder: 'desc', operator: 'set' });
    const ids = await newPlayers(5, 'Drift');
    for (const [i, id] of ids.entries()) await boards.submit('drifting', id, { score: i, subscore: 0 });
    const live = await boards.top('drifting');
    const definition = await boards.get('drifting');
    expect(await sweep.reconcile(definition)).toBe(false); // the first look only counts

    // A node that died between its commit and its index write: the database has a record the index lacks.
    await index.remove(periodIndexName('drifting', 0), ids[2]!);
    expect(await sweep.reconcile(definition)).toBe(true);
    expect(reported.rebuilds).toBe(1);
    expect(await boards.top('drifting')).toEqual(live);
    expect(await sweep.reconcile(definition)).toBe(false);
  });
});

describe('reads and server-written boards', () => {
  it("answers a set of players' ranks in rank order, skipping players without a record", async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const { boards } = node();
    await boards.create({ id: 'friends', sortOrder: 'desc', operator: 'set' });
    const ids = await newPlayers(6, 'Friend');
    for (const [i, id] of ids.slice(0, 5).entries()) await boards.submit('friends', id, { score: i * 10, subscore: 0 });
    const picked = await boards.entriesOf('friends', [ids[1]!, ids[5]!, ids[4]!, ids[1]!]);
    expect(picked.map((entry) => [entry.playerId, entry.rank])).toEqual([
      [ids[4], 1],
      [ids[1], 4],
    ]);
    expect(await code(boards.entriesOf('friends', Array.from({ length: 101 }, () => ids[0]!)))).toBe('invalid_request');
  });

  it('keeps the rating boards to the server: created on the first game, refused to admins', async () => {
    now = new Date('2026-12-03T12:00:00Z');
    const { boards } = node();
    const ratingBoards = new RatingBoards(boards);
    const [ann, bob] = await newPlayers(2, 'Rated');
    const game = { gameMode: 'duel', region: 'eu-west', players: [{ playerId: ann!, rating: 1232.4, gamesPlayed: 1 }, { playerId: bob!, rating: 1167.6, gamesPlayed: 1 }] };
    const index = await backends.db.transaction((tx) => ratingBoards.recordIn(tx, game));
    // Nothing is ranked before the caller runs what follows its commit; the database has the records already.
    await index();
    for (const id of [ratingBoardId('duel'), ratingBoardId('duel', 'eu-west')]) {
      expect((await boards.top(id)).map((entry) => [entry.playerId, entry.score, entry.subscore])).toEqual([
        [ann, 1232, 1],
        [bob, 1168, 1],
      ]);
    }
    // A region that cannot be part of a board id feeds the global board only.
    await (await backends.db.transaction((tx) => ratingBoards.recordIn(tx, { ...game, region: 'EU West!', players: [{ playerId: bob!, rating: 1300, gamesPlayed: 2 }] })))();
    expect((await boards.top('rating.duel')).map((entry) => entry.playerId)).toEqual([bob, ann]);
    expect((await boards.list()).map((board) => board.id).filter((id) => id.startsWith('rating.duel'))).toEqual(['rating.duel', 'rating.duel.eu-west']);

    expect(await code(boards.submit('rating.duel', ann!, { score: 9999, subscore: 0 }))).toBe('board_read_only');
    expect(await code(boards.create({ id: 'rating.mine', sortOrder: 'desc', operator: 'set' }))).toBe('invalid_definition');
  });

  it('writes nothing when the transaction that rates the game rolls back', async () => {
    const { boards } = node();
    const [carl] = await newPlayers(1, 'Rollback');
    const failed = backends.db.transaction(async (tx) => {
      await new RatingBoards(boards).recordIn(tx, { gameMode: 'rollback', region: 'default', players: [{ playerId: carl!, rating: 1500, gamesPlayed: 1 }] });
      throw new Error('the game record failed');
    });
    await expect(failed).rejects.toThrow('the game record failed');
    expect(await code(boards.top('rating.rollback'))).toBe('board_not_found');
  });
});

describe('fieldOutcome', () => {
  it('is the plain result in 1v1 and team games, and splits a free-for-all at its middle', () => {
    expect([fieldOutcome(1, [1, 2]), fieldOutcome(2, [1, 2]), fieldOutcome(1, [1, 1])]).toEqual(['win', 'loss', 'draw']);
    expect([1, 2, 3, 4, 5].map((rank) => fieldOutcome(rank, [1, 2, 3, 4, 5]))).toEqual(['win', 'win', 'draw', 'loss', 'loss']);
    expect(fieldOutcome(2, [1, 2, 2, 4])).toBe('draw');
  });
});
