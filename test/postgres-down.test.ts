/**
 * What GameV1 does while its PostgreSQL is down, and after it comes back, without restarting GameV1.
 *
 * The suite brings its own PostgreSQL (test/support/postgres.ts), so it runs on both CI passes: the cache is Redis
 * when REDIS_URL is set and the memory cache otherwise. Everything the tests lean on (accounts, tokens, a room in
 * play, two queued tickets, connected sockets) is set up before the database stops; the database stays down from
 * the end of beforeAll until the last describe block starts it again.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientEvents, GameV1Client } from '../client/src/index.js';
import { playerIn } from './support/play.js';
import { startOwnPostgres, type OwnPostgres } from './support/postgres.js';
import { sdkClient, waitFor } from './support/sdk.js';
import { isolation, startTestServer, type TestServer } from './support/server.js';

const scope = isolation();
const MODE = 'deathmatch';
/** The queued pair's region; the ticket tried while the database is down goes elsewhere so it can never join them. */
const PAIR_REGION = 'pg-down-pair';
const LATE_REGION = 'pg-down-late';
/**
 * The queued pair is 100 rating points apart and a fresh ticket accepts no difference (window 0, widening by 30 a
 * second), so they match about 3.3 s after queueing: after the database has stopped, never before.
 */
const RATING_GAP = 100;

let own: OwnPostgres;
let t: TestServer;
const clients: GameV1Client[] = [];

interface Account {
  email: string;
  password: string;
  id: string;
  accessToken: string;
  refreshToken: string;
}

/** A connected SDK guest; `connect: false` leaves it with tokens only. */
async function guest(name: string, options: { connect?: boolean } = {}) {
  const { client } = sdkClient(t.url);
  clients.push(client);
  const player = await client.guest(name);
  if (options.connect !== false) await client.connect();
  return { client, id: player.id };
}

type Guest = Awaited<ReturnType<typeof guest>>;

let account: Account;
/** Ann and Bob, playing in one room since before the stop. */
let room: { id: string; ann: Guest; bob: Guest };
/** Guests with tokens from before the stop, not connected: Cara joins the room, Dan queues. */
let cara: Guest;
let dan: Guest;
/** Eve and Fay, connected and queued together before the stop; `found` settles with their match_found. */
let pair: { eve: Guest; fay: Guest; found: Promise<ClientEvents['match_found'][]>; statusAtStop: string };

beforeAll(async () => {
  own = await startOwnPostgres();
  t = await startTestServer(
    {
      DATABASE_URL: own.url,
      TICK_RATE: '20',
      SNAPSHOT_RATE: '20',
      MATCHMAKING_INTERVAL: '100',
      MIN_PLAYERS_PER_MATCH: '2',
      MAX_PLAYERS_PER_MATCH: '2',
      MATCHMAKING_INITIAL_SKILL_WINDOW: '0',
      MATCHMAKING_WINDOW_GROWTH: '30',
    },
    scope,
  );

  // An account with a password and a refresh token.
  const email = `pg-down-${Date.now()}@example.com`;
  const registered = await t.call('POST', '/auth/register', { body: { email, password: 'correct horse', display_name: 'Acct' } });
  expect(registered.status).toBe(201);
  account = {
    email,
    password: 'correct horse',
    id: registered.body.player.id,
    accessToken: registered.body.access_token,
    refreshToken: registered.body.refresh_token,
  };

  // A room in play: Ann hosts, Bob joins, both are in the snapshots.
  const ann = await guest('Ann');
  const bob = await guest('Bob');
  const roomId = (await ann.client.createRoom({ room_name: 'pg-down room', max_players: 4 })).room_id;
  await ann.client.joinRoom(roomId);
  await bob.client.joinRoom(roomId);
  await waitFor(ann.client, 'snapshot', (e) => !!playerIn(e.snapshot.players, bob.id));
  room = { id: roomId, ann, bob };

  // Players holding tokens only: Cara joins the room later, Dan tries to queue later.
  cara = await guest('Cara', { connect: false });
  dan = await guest('Dan', { connect: false });

  // Two connected players queued last, a rating gap apart, so their match forms only once the database is down.
  const eve = await guest('Eve');
  const fay = await guest('Fay');
  const sql = new pg.Client({ connectionString: own.url });
  await sql.connect();
  await sql.query(`UPDATE ${scope.schema}.players SET skill_rating = skill_rating + $2 WHERE id = $1`, [fay.id, RATING_GAP]);
  await sql.end();
  const found = Promise.all([waitFor(eve.client, 'match_found', () => true, 20_000), waitFor(fay.client, 'match_found', () => true, 20_000)]);
  found.catch(() => undefined); // awaited by its test; a failure must not surface as an unhandled rejection first
  await eve.client.queueForMatch({ game_mode: MODE, region: PAIR_REGION });
  await fay.client.queueForMatch({ game_mode: MODE, region: PAIR_REGION });

  await own.stop();
  pair = { eve, fay, found, statusAtStop: (await eve.client.matchmakingStatus()).status };
});

afterAll(async () => {
  for (const client of clients) client.close();
  // The server's stop drops its schema and cache keys, which needs the database up.
  if (own && !own.running) await own.start().catch(() => undefined);
  await t?.stop();
  await own?.destroy();
});

const unavailable = { statusCode: 503, code: 'service_unavailable', message: expect.any(String) };

describe('while PostgreSQL is down', () => {
  it('reports the database down in /healthz and the cache still up', async () => {
    const res = await t.call('GET', '/healthz');
    // A database outage leaves the node in service, degraded: only a cache outage takes it out (503).
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      checks: {
        database: { status: 'down', backend: 'postgres', error: expect.any(String) },
        cache: { status: 'ok' },
      },
    });
  });

  // A lost or refused connection is a DatabaseUnavailableError, which every edge answers as a backend outage.
  it('answers register with 503 service_unavailable', async () => {
    const res = await t.call('POST', '/auth/register', { body: { email: `late-${Date.now()}@example.com`, password: 'correct horse' } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(unavailable);
  });

  it('answers login with 503 service_unavailable', async () => {
    const res = await t.call('POST', '/auth/login', { body: { email: account.email, password: account.password } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(unavailable);
  });

  it('answers refresh with 503 service_unavailable', async () => {
    const res = await t.call('POST', '/auth/refresh', { token: account.refreshToken });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(unavailable);
  });

  it('stays up and keeps serving what needs no database', async () => {
    const health = await t.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.checks.database.status).toBe('down');
    const rooms = await t.call('GET', '/api/rooms/list', { token: account.accessToken });
    expect(rooms.status).toBe(200);
    expect(rooms.body.rooms.map((r: { room_id: string }) => r.room_id)).toContain(room.id);
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.body).toMatch(/gamev1_db_connection_errors_total\{node="test-node"\} [1-9]/);
  });

  it('keeps a room in play: snapshots advance and inputs still move players', async () => {
    const { ann, bob } = room;
    const first = await waitFor(ann.client, 'snapshot', (e) => !!playerIn(e.snapshot.players, bob.id));
    const start = playerIn(first.snapshot.players, bob.id)!.position;
    const bobFirst = await waitFor(bob.client, 'snapshot');
    // Spawn points are random: Bob walks towards the centre, away from the nearest wall.
    const towardsCentre = start.x > 0 ? -1 : 1;
    const walking = setInterval(() => bob.client.sendInput({ movement: { x: towardsCentre, y: 0, z: 0 } }), 50);
    try {
      const moved = await waitFor(ann.client, 'snapshot', (e) => {
        const x = playerIn(e.snapshot.players, bob.id)?.position.x;
        return x !== undefined && (x - start.x) * towardsCentre > 1;
      });
      expect(moved.tick).toBeGreaterThan(first.tick);
      expect(playerIn(moved.snapshot.players, bob.id)!.last_input_sequence).toBeGreaterThan(0);
      const bobLater = await waitFor(bob.client, 'snapshot', (e) => e.tick > bobFirst.tick);
      expect(bobLater.tick).toBeGreaterThan(bobFirst.tick);
    } finally {
      clearInterval(walking);
      bob.client.sendInput({ movement: { x: 0, y: 0, z: 0 } });
    }
  });

  it('seats a player by reservation with a token from before the stop', async () => {
    const token = cara.client.accessToken!;
    const reserved = await t.call('POST', `/api/rooms/${room.id}/join`, { token, body: {} });
    expect(reserved.status).toBe(200);
    expect(reserved.body.room_id).toBe(room.id);
    const auth = await cara.client.connect();
    expect(auth.player_id).toBe(cara.id);
    const joined = await cara.client.joinRoom(room.id);
    expect(joined).toMatchObject({ room_id: room.id, player_id: cara.id });
    await waitFor(room.ann.client, 'snapshot', (e) => !!playerIn(e.snapshot.players, cara.id));
  });

  // Queueing reads the player's profile and rating from PostgreSQL first, so new tickets wait for it (queued ones match on).
  it('answers a new matchmaking ticket with 503 service_unavailable (the rating lives in PostgreSQL)', async () => {
    const res = await t.call('POST', '/api/matchmaking/queue', {
      token: dan.client.accessToken!,
      body: { game_mode: MODE, region: LATE_REGION },
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(unavailable);
  });

  it('still matches two players queued before the stop', async () => {
    // The pair was still waiting when the database went away, so the match below formed while it was down.
    expect(pair.statusAtStop).toBe('queued');
    const [eveFound, fayFound] = await pair.found;
    expect(eveFound!.room_id).toBe(fayFound!.room_id);
    for (const { client } of [pair.eve, pair.fay]) {
      const status = await client.matchmakingStatus();
      expect(status).toMatchObject({ status: 'matched', room_id: eveFound!.room_id });
    }
  });
});

describe('after PostgreSQL is back', () => {
  beforeAll(() => own.start());

  it('works again without restarting GameV1', async () => {
    await expect.poll(async () => (await t.call('GET', '/healthz')).status, { timeout: 10_000 }).toBe(200);
    const login = await t.call('POST', '/auth/login', { body: { email: account.email, password: account.password } });
    expect(login.status).toBe(200);
    expect(login.body.player.id).toBe(account.id);
    const refreshed = await t.call('POST', '/auth/refresh', { token: account.refreshToken });
    expect(refreshed.status).toBe(200);
    const registered = await t.call('POST', '/auth/register', { body: { email: `back-${Date.now()}@example.com`, password: 'correct horse' } });
    expect(registered.status).toBe(201);
    const queued = await t.call('POST', '/api/matchmaking/queue', {
      token: dan.client.accessToken!,
      body: { game_mode: MODE, region: LATE_REGION },
    });
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
  });
});
