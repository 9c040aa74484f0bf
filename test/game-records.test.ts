/**
 * The outbox's writers of game records against the real database of this run (PostgreSQL or PGlite): each is
 * idempotent by game id, so a retry storm records and rates a game once, an abort never undoes a finish, and
 * a restarted node closes only the games it left open.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { players } from '../src/auth/index.js';
import { GameModes } from '../src/games/index.js';
import { Leaderboard } from '../src/leaderboard/index.js';
import { DEFAULT_RATING_POLICY } from '../src/rating/index.js';
import { GAME_RECORD, SqlGameRecorder, gameRecordWriters, type RecordOutbox } from '../src/rooms/index.js';
import { migrate, openDatabase, type Database } from '../src/store/index.js';
import { dropIsolation, testConfig } from './support/server.js';

const config = testConfig();
let db: Database;
let writers: ReturnType<typeof gameRecordWriters>;

/** An outbox that hands every record straight to the writers, as a drained outbox does. */
class DirectOutbox implements RecordOutbox {
  readonly puts: { kind: string; key: string; payload: unknown }[] = [];
  async put(kind: string, key: string, payload: unknown): Promise<void> {
    this.puts.push({ kind, key, payload: JSON.parse(JSON.stringify(payload)) });
  }
}

const SETTINGS = { tickRate: 20, maxEntities: 16, scoreLimit: 1, timeLimitSeconds: 60, friendlyFire: false };

async function newPlayer(name: string): Promise<string> {
  const row = await players.insert(db, { email: null, displayName: name, passwordHash: null, isGuest: true });
  return row!.id;
}

const MATCH_TIME = Date.parse('2026-12-01T12:00:00Z');

/** A recorder on node `node`, and the records of one match it played (started at `at`), then `end`. */
async function playedMatch(
  node: string,
  end: (recorder: SqlGameRecorder, gameId: string, winner: string, loser: string) => Promise<void>,
  at = MATCH_TIME,
) {
  const outbox = new DirectOutbox();
  const recorder = new SqlGameRecorder(db, outbox, node, () => at, pino({ level: 'silent' }));
  const [winner, loser] = [await newPlayer('Winner'), await newPlayer('Loser')];
  const gameId = recorder.start({ roomId: `room-${node}`, gameMode: 'deathmatch', region: 'eu', seed: 7, settings: SETTINGS });
  await end(recorder, gameId, winner, loser);
  return { recorder, outbox, gameId, winner, loser };
}

const finish = (recorder: SqlGameRecorder, gameId: string, winner: string, loser: string) =>
  recorder.finish(gameId, {
    reason: 'score_limit',
    players: [
      { player_id: winner, name: 'Winner', score: 1, deaths: 0, rank: 1 },
      { player_id: loser, name: 'Loser', score: 0, deaths: 1, rank: 2 },
    ],
    ticks: 40,
    replay: Uint8Array.of(1, 1),
  });

const write = (record: { kind: string; payload: unknown }) => writers[record.kind]!(record.payload);

beforeAll(async () => {
  db = await openDatabase(config.database);
  await migrate(db);
  const leaderboard = new Leaderboard(db, { ...DEFAULT_RATING_POLICY, modes: new GameModes().ratingKinds() });
  writers = gameRecordWriters(db, async (tx, gameId, results) => {
    await leaderboard.rateGameIn(tx, gameId, results);
    return undefined;
  });
});
afterAll(async () => {
  await db?.close();
  await dropIsolation(config);
});

async function stateOf(gameId: string, ...playerIds: string[]) {
  const { rows: games } = await db.query<{ status: string; end_reason: string | null; rated: boolean; node: string }>(
    'SELECT status, end_reason, rated_at IS NOT NULL AS rated, node FROM games WHERE id = $1',
    [gameId],
  );
  const { rows: history } = await db.query<{ player_id: string; delta: number }>(
    'SELECT player_id, delta FROM rating_history WHERE game_id = $1 ORDER BY delta DESC',
    [gameId],
  );
  const { rows: ratings } = await db.query<{ id: string; games_played: number }>('SELECT id, games_played FROM players WHERE id = ANY($1::uuid[])', [playerIds]);
  return { game: games[0], history, played: Object.fromEntries(ratings.map((r) => [r.id, r.games_played])) };
}

describe('game record writers', () => {
  it('record and rate a game once, however often and however concurrently a finish is delivered', async () => {
    const { outbox, gameId, winner, loser } = await playedMatch('storm', finish);
    const [started, finished] = outbox.puts;
    expect([started!.kind, finished!.kind]).toEqual([GAME_RECORD.started, GAME_RECORD.finished]);
    // The finish may even arrive before its start (the start is retried after it).
    await Promise.all(Array.from({ length: 8 }, () => write(finished!)));
    await write(started!);
    await write(finished!);
    expect(await stateOf(gameId, winner, loser)).toEqual({
      game: { status: 'finished', end_reason: 'score_limit', rated: true, node: 'storm' },
      history: [
        { player_id: winner, delta: 32 },
        { player_id: loser, delta: -32 },
      ],
      played: { [winner]: 1, [loser]: 1 },
    });
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM game_replays WHERE game_id = $1', [gameId]);
    expect(rows[0]!.n).toBe(1);
  });

  it('never let an abort undo a finish, and let a finish replace an abort', async () => {
    const finishedFirst = await playedMatch('abort-after', finish);
    for (const record of finishedFirst.outbox.puts) await write(record);
    await write({ kind: GAME_RECORD.aborted, payload: { ...(finishedFirst.outbox.puts[0]!.payload as object), abortedAt: Date.now(), reason: 'room_closed' } });
    expect((await stateOf(finishedFirst.gameId)).game).toMatchObject({ status: 'finished', rated: true });

    const abortedFirst = await playedMatch('finish-after', finish);
    const [started, finished] = abortedFirst.outbox.puts;
    await write(started!);
    await db.query(`UPDATE games SET status = 'aborted', end_reason = 'server_restarted' WHERE id = $1`, [abortedFirst.gameId]);
    await write(finished!);
    expect((await stateOf(abortedFirst.gameId)).game).toMatchObject({ status: 'finished', end_reason: 'score_limit', rated: true });
  });

  it('record an abort with its reason', async () => {
    const { outbox, gameId } = await playedMatch('aborted', (recorder, id) => recorder.abort(id));
    for (const record of outbox.puts) await write(record);
    expect((await stateOf(gameId)).game).toMatchObject({ status: 'aborted', end_reason: 'room_closed', rated: false });
  });

  it('refuse a second end of the same game at its source', async () => {
    const { recorder, gameId, winner, loser } = await playedMatch('twice', finish);
    await expect(finish(recorder, gameId, winner, loser)).rejects.toThrow(/already ended/);
  });
});

describe('orphaned games', () => {
  it('are the games this node started before this run, closed as server_restarted; others stay open', async () => {
    const restartedAt = MATCH_TIME + 60_000;
    const left = await playedMatch('restarted-node', async () => undefined);
    const thisRun = await playedMatch('restarted-node', async () => undefined, restartedAt + 1_000);
    const elsewhere = await playedMatch('other-node', async () => undefined);
    for (const match of [left, thisRun, elsewhere]) await write(match.outbox.puts[0]!);
    expect(await left.recorder.closeOrphans(restartedAt)).toBe(1);
    expect((await stateOf(left.gameId)).game).toMatchObject({ status: 'aborted', end_reason: 'server_restarted' });
    expect((await stateOf(thisRun.gameId)).game).toMatchObject({ status: 'in_progress' });
    expect((await stateOf(elsewhere.gameId)).game).toMatchObject({ status: 'in_progress' });
    // Its records may still arrive afterwards (written late): the finish replaces the abort.
    await finish(left.recorder, left.gameId, await newPlayer('W'), await newPlayer('L'));
    await write(left.outbox.puts[1]!);
    expect((await stateOf(left.gameId)).game).toMatchObject({ status: 'finished', end_reason: 'score_limit' });
  });
});
