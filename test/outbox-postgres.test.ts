/**
 * Nothing lost when PostgreSQL blips: a match that ends while the database is down is written (and rated,
 * once) when it is back, whether the GameV1 process lived through the outage or was killed with the records
 * still in its outbox. Each suite brings its own PostgreSQL (test/support/postgres.ts), so it runs on both CI
 * passes; the cache is Redis when REDIS_URL is set.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameV1Client } from '../client/src/index.js';
import { approach, shootUntilMatchEnds } from './support/play.js';
import { startOwnPostgres, type OwnPostgres } from './support/postgres.js';
import { listeningUrl, startProcess } from './support/process.js';
import { sdkClient, waitFor } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';

const GAME = {
  TICK_RATE: '20',
  SNAPSHOT_RATE: '20',
  SCORE_LIMIT: '1',
  TIME_LIMIT: '600',
  MATCH_RESTART_DELAY: '1',
  OUTBOX_RETRY_MAX: '1',
  JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
};

async function query<Row>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Ann and Bob in one room of the server at `url`, Ann close enough to Bob to shoot. */
async function twoInARoom(url: string) {
  const ann = sdkClient(url).client;
  const bob = sdkClient(url).client;
  const annPlayer = await ann.guest('Ann');
  const bobPlayer = await bob.guest('Bob');
  const room = await ann.createRoom({ room_name: 'Outage', max_players: 2 });
  await Promise.all([ann.connect(), bob.connect()]);
  await ann.joinRoom(room.room_id);
  await bob.joinRoom(room.room_id);
  await approach(ann, annPlayer.id, bobPlayer.id);
  return { ann, bob, annId: annPlayer.id, bobId: bobPlayer.id, roomId: room.room_id };
}

/** What the database says of the match a room played first, and of its players' ratings. */
async function recorded(url: string, schema: string, roomId: string, players: string[]) {
  const games = await query<{ id: string; status: string; end_reason: string | null; results: { players: { player_id: string; rank: number }[] } | null; rated: boolean }>(
    url,
    `SELECT id, status, end_reason, results, rated_at IS NOT NULL AS rated FROM ${schema}.games WHERE room_id = $1 ORDER BY started_at`,
    [roomId],
  );
  const history = await query<{ game_id: string; player_id: string; delta: number }>(
    url,
    `SELECT game_id, player_id, delta FROM ${schema}.rating_history WHERE player_id = ANY($1::uuid[]) ORDER BY delta DESC`,
    [players],
  );
  const ratings = await query<{ id: string; skill_rating: number; games_played: number }>(
    url,
    `SELECT id, skill_rating, games_played FROM ${schema}.players WHERE id = ANY($1::uuid[])`,
    [players],
  );
  return { games, history, ratings };
}

function expectRatedOnce(result: Awaited<ReturnType<typeof recorded>>, winner: string, loser: string): void {
  const finished = result.games.find((game) => game.status === 'finished')!;
  expect(finished).toMatchObject({ end_reason: 'score_limit', rated: true });
  expect(finished.results!.players.map((p) => [p.player_id, p.rank])).toEqual([[winner, 1], [loser, 2]]);
  // Exactly one rating change each, for this game, and the Elo amounts of two new players.
  expect(result.history).toEqual([
    { game_id: finished.id, player_id: winner, delta: 32 },
    { game_id: finished.id, player_id: loser, delta: -32 },
  ]);
  expect(Object.fromEntries(result.ratings.map((r) => [r.id, [r.skill_rating, r.games_played]]))).toEqual({ [winner]: [1232, 1], [loser]: [1168, 1] });
}

describe('a match that ends while PostgreSQL is down', () => {
  let own: OwnPostgres;
  let t: TestServer;
  const clients: GameV1Client[] = [];

  beforeAll(async () => {
    own = await startOwnPostgres();
    t = await startTestServer({ ...GAME, DATABASE_URL: own.url, REDIS_URL: process.env.REDIS_URL ?? '' });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    if (!own?.running) await own?.start();
    await t?.stop();
    await own?.destroy();
  });

  it('is kept in the outbox, reported, and written with its ratings exactly once when the database is back', async () => {
    const play = await twoInARoom(t.url);
    clients.push(play.ann, play.bob);
    await own.stop();
    const ended = await shootUntilMatchEnds(play.ann, play.annId, play.bobId, play.bob);
    expect(ended.reason).toBe('score_limit');

    // Deferred, and said so: /healthz is degraded but in service, the metrics show the backlog.
    await expect.poll(async () => (await t.call('GET', '/healthz')).body.checks.outbox.depth, { timeout: 10_000 }).toBeGreaterThan(0);
    const health = await t.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { database: { status: 'down' }, outbox: { status: 'degraded' } } });
    const metrics = (await t.call('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/gamev1_outbox_depth\{node="test-node"\} [1-9]/);
    expect(metrics).toMatch(/gamev1_outbox_retries_total\{kind="game\.[a-z]+",node="test-node"\} [1-9]/);
    // Play went on: the room restarted its match.
    expect((await t.call('GET', `/api/rooms/${play.roomId}`, { token: play.ann.accessToken! })).body.player_count).toBe(2);

    await own.start();
    await expect.poll(async () => (await t.call('GET', '/healthz')).body.checks.outbox.depth, { timeout: 15_000 }).toBe(0);
    expectRatedOnce(await recorded(own.url, t.server.config.database.schema, play.roomId, [play.annId, play.bobId]), play.annId, play.bobId);
    expect((await t.call('GET', '/metrics')).body).toMatch(/gamev1_outbox_written_total\{kind="game\.finished",node="test-node"\} 1/);
  });
});

describe('a process killed while its outbox holds records', () => {
  let own: OwnPostgres;
  let outboxDir: string;
  const env = () => ({
    ...GAME,
    DATABASE_URL: own.url,
    DATABASE_SCHEMA: 'killed',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `gamev1-test:killed-${process.pid}:` } : {}),
    DATA_DIR: 'memory://',
    OUTBOX_DIR: outboxDir,
    NODE_NAME: 'killed-node',
    GATEWAY_BIND_ADDR: '127.0.0.1:0',
    LOG_LEVEL: 'info',
  });

  beforeAll(async () => {
    own = await startOwnPostgres();
    outboxDir = mkdtempSync(join(tmpdir(), 'gamev1-outbox-'));
  });
  afterAll(async () => {
    await own?.destroy();
    rmSync(outboxDir, { recursive: true, force: true });
  });

  it('writes them after it starts again, closes the match it left open, and rates once', async () => {
    const first = startProcess(env());
    let second: ReturnType<typeof startProcess> | undefined;
    try {
      const { url } = await listeningUrl(first);
      const play = await twoInARoom(url);
      await own.stop();
      const restarted = waitFor(play.bob, 'match_started');
      await shootUntilMatchEnds(play.ann, play.annId, play.bobId, play.bob);
      await restarted;
      // Both the finish and the next match's start are in the journal (fsync'd) when the process dies.
      const journaled = () =>
        readdirSync(outboxDir)
          .filter((name) => name.endsWith('.journal'))
          .map((name) => readFileSync(join(outboxDir, name), 'latin1'))
          .join('');
      await expect.poll(() => ['"kind":"game.finished"', '"kind":"game.started"'].every((kind) => journaled().includes(kind)), { timeout: 10_000 }).toBe(true);
      first.kill('SIGKILL');
      play.ann.close();
      play.bob.close();

      await own.start();
      second = startProcess(env());
      await listeningUrl(second);
      await expect.poll(async () => (await recorded(own.url, 'killed', play.roomId, [play.annId, play.bobId])).games.find((g) => g.status === 'finished')?.rated ?? false, {
        timeout: 20_000,
      }).toBe(true);
      const result = await recorded(own.url, 'killed', play.roomId, [play.annId, play.bobId]);
      expectRatedOnce(result, play.annId, play.bobId);
      // The next match had started when the process died: it is closed as such, not left in progress.
      await expect.poll(async () => (await recorded(own.url, 'killed', play.roomId, [])).games.map((g) => [g.status, g.end_reason]), { timeout: 20_000 }).toEqual([
        ['finished', 'score_limit'],
        ['aborted', 'server_restarted'],
      ]);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      if (second && second.exitCode === null) await once(second, 'exit');
    }
  });
});
