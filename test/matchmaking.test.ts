import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl, startProcess } from './support/process.js';
import { isolation, peerNodeEnv, realBackends, startTestServer, type TestServer } from './support/server.js';
import { shootUntilMatchEnds } from './support/play.js';
import { matchTwo, sdkClient, waitFor } from './support/sdk.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    TICK_RATE: '20',
    SNAPSHOT_RATE: '20',
    SCORE_LIMIT: '1',
    MATCHMAKING_INTERVAL: '100',
    MAX_WAIT_TIME: '2',
    MIN_PLAYERS_PER_MATCH: '2',
    MAX_PLAYERS_PER_MATCH: '2',
  });
});
afterAll(() => t?.stop());

const guest = async (server: TestServer, name: string) => {
  const body = (await server.call('POST', '/auth/guest', { body: { display_name: name } })).body;
  return { token: body.access_token as string, id: body.player.id as string };
};

describe('matchmaking HTTP API (seed paths)', () => {
  it('queues, reports status with the skill window, refuses a second ticket, cancels', async () => {
    const { token } = await guest(t, 'Solo');
    const queued = await t.call('POST', '/api/matchmaking/queue', {
      token,
      body: { game_mode: 'deathmatch', region: 'lonely-region', max_wait_time: 300 },
    });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ status: 'queued', game_mode: 'deathmatch', region: 'lonely-region', max_wait_time: 2 });

    const status = await t.call('GET', '/api/matchmaking/status', { token });
    expect(status.body).toMatchObject({ status: 'queued', ticket_id: queued.body.ticket_id, skill_window: expect.any(Number) });

    const again = await t.call('POST', '/api/matchmaking/queue', { token, body: { game_mode: 'deathmatch', region: 'other' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_queued');

    const cancelled = await t.call('DELETE', '/api/matchmaking/queue', { token });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', ticket_id: queued.body.ticket_id });
    expect((await t.call('GET', '/api/matchmaking/status', { token })).body).toEqual({ status: 'idle' });
    const twice = await t.call('DELETE', '/api/matchmaking/queue', { token });
    expect(twice.status).toBe(404);
    expect(twice.body.code).toBe('not_queued');
  });

  it('rejects bad requests clearly', async () => {
    const { token } = await guest(t, 'Picky');
    const mode = await t.call('POST', '/api/matchmaking/queue', { token, body: { game_mode: 'chess', region: 'eu' } });
    expect(mode.status).toBe(400);
    expect(mode.body.code).toBe('unsupported_game_mode');
    const region = await t.call('POST', '/api/matchmaking/queue', { token, body: { game_mode: 'deathmatch', region: 'EU WEST!' } });
    expect(region.status).toBe(400);
    expect((await t.call('GET', '/api/matchmaking/status')).status).toBe(401);
  });

  it('ends a ticket past its max_wait_time with a timeout status', async () => {
    const { token } = await guest(t, 'Patient');
    await t.call('POST', '/api/matchmaking/queue', { token, body: { game_mode: 'deathmatch', region: 'nobody-here' } });
    await expect.poll(async () => (await t.call('GET', '/api/matchmaking/status', { token })).body.status, { timeout: 6_000 }).toBe('timeout');
    expect((await t.call('GET', '/metrics')).body).toMatch(/gamev1_matchmaking_timeouts_total\{node="test-node"\} [1-9]/);
  });

  it('never matches across regions or modes', async () => {
    const east = await guest(t, 'East');
    const west = await guest(t, 'West');
    await t.call('POST', '/api/matchmaking/queue', { token: east.token, body: { game_mode: 'deathmatch', region: 'us-east' } });
    await t.call('POST', '/api/matchmaking/queue', { token: west.token, body: { game_mode: 'deathmatch', region: 'us-west' } });
    // Same region, different modes.
    const solo = await guest(t, 'Solo');
    const squad = await guest(t, 'Squad');
    await t.call('POST', '/api/matchmaking/queue', { token: solo.token, body: { game_mode: 'deathmatch', region: 'ap-south' } });
    expect((await t.call('POST', '/api/matchmaking/queue', { token: squad.token, body: { game_mode: 'team_deathmatch', region: 'ap-south' } })).status).toBe(202);
    await expect.poll(async () => (await t.call('GET', '/api/matchmaking/status', { token: east.token })).body.status, { timeout: 6_000 }).toBe('timeout');
    for (const { token } of [west, solo, squad]) {
      await expect.poll(async () => (await t.call('GET', '/api/matchmaking/status', { token })).body.status, { timeout: 6_000 }).toBe('timeout');
    }
  });
});

describe('from queue to ratings', () => {
  it('matches two SDK players into a room, they play to the end, ratings move by the Elo amounts and persist', async () => {
    const { ann, bob, annPlayer, bobPlayer, annMatch, bobMatch } = await matchTwo(t.url, { game_mode: 'deathmatch', region: 'eu-west' });
    expect(annMatch.room_id).toBe(bobMatch.room_id);
    expect(annMatch.players.sort()).toEqual([annPlayer.id, bobPlayer.id].sort());
    expect(await ann.matchmakingStatus()).toMatchObject({ status: 'matched', room_id: annMatch.room_id });

    await ann.joinRoom(annMatch.room_id);
    await bob.joinRoom(bobMatch.room_id);
    // The room holds exactly the matched players: a third player finds it full.
    const intruder = sdkClient(t.url).client;
    await intruder.guest('Intruder');
    await intruder.connect();
    await expect(intruder.joinRoom(annMatch.room_id)).rejects.toMatchObject({ code: 'room_full' });

    const result = await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
    expect(result.reason).toBe('score_limit');
    expect(result.results.map((r) => [r.player_id, r.rank])).toEqual([[annPlayer.id, 1], [bobPlayer.id, 2]]);

    // Both are new (provisional K 64) at 1200: the winner gains 32, the loser loses 32.
    const rating = async (token: string) => (await t.call('GET', '/auth/me', { token })).body.skill_rating;
    await expect.poll(() => rating(ann.accessToken!)).toBe(1232);
    expect(await rating(bob.accessToken!)).toBe(1168);
    const { rows: history } = await t.server.db.query<{ player_id: string; delta: number; rating_kind: string }>(
      'SELECT player_id, delta, rating_kind FROM rating_history h JOIN games g ON g.id = h.game_id WHERE g.room_id = $1 ORDER BY delta DESC',
      [annMatch.room_id],
    );
    expect(history).toEqual([
      { player_id: annPlayer.id, delta: 32, rating_kind: 'elo' },
      { player_id: bobPlayer.id, delta: -32, rating_kind: 'elo' },
    ]);
    const board = (await t.call('GET', '/api/leaderboard?limit=5')).body.players;
    expect(board.map((p: { player_id: string }) => p.player_id)).toEqual([annPlayer.id, bobPlayer.id]);
    expect(board[0]).toMatchObject({ rank: 1, display_name: 'Ann', skill_rating: 1232, games_played: 1 });
    // The built-in rating boards of the mode, global and for the match's region, follow the game.
    for (const id of ['rating.deathmatch', 'rating.deathmatch.eu-west']) {
      const records = (await t.call('GET', `/api/leaderboards/${id}?players=${annPlayer.id},${bobPlayer.id}`)).body.records;
      expect(records.map((r: { display_name: string; score: number; subscore: number }) => [r.display_name, r.score, r.subscore])).toEqual([
        ['Ann', 1232, 1],
        ['Bob', 1168, 1],
      ]);
    }

    // Reporting the same game again changes nothing.
    const { rows: games } = await t.server.db.query<{ id: string }>(`SELECT id FROM games WHERE room_id = $1 AND status = 'finished'`, [annMatch.room_id]);
    expect(await t.server.leaderboard.rateGame(games[0]!.id)).toEqual([]);
    expect(await rating(ann.accessToken!)).toBe(1232);

    const metrics = (await t.call('GET', '/metrics')).body;
    expect(metrics).toMatch(/gamev1_matchmaking_matches_total\{game_mode="deathmatch",region="eu-west",node="test-node"\} 1/);
    expect(metrics).toMatch(/gamev1_matchmaking_wait_seconds_count\{[^}]*region="eu-west"[^}]*\} 2/);
    for (const client of [ann, bob, intruder]) client.close();
  });
});

describe.runIf(realBackends)('two gateway processes sharing one Redis', () => {
  it('never puts a player in two matches', async () => {
    const shared = isolation();
    // Nobody joins these matches: the join timeout must outlast the wait for them all to form.
    const settings = { MATCHMAKING_INTERVAL: '50', MIN_PLAYERS_PER_MATCH: '2', MAX_PLAYERS_PER_MATCH: '4', MAX_SKILL_DIFF: '10000', MATCH_JOIN_TIMEOUT: '120' };
    const nodeA = await startTestServer({ ...settings, NODE_NAME: 'node-a' }, shared);
    const config = nodeA.server.config;
    const child = startProcess({ ...settings, ...peerNodeEnv(shared, config.auth.jwtSecret!), GATEWAY_BIND_ADDR: '127.0.0.1:0', NODE_NAME: 'node-b' });
    try {
      const { url: nodeB } = await listeningUrl(child);
      expect(nodeB).not.toBe('');
      const queueAt = async (base: string, token: string) =>
        (await fetch(`${base}/api/matchmaking/queue`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ game_mode: 'deathmatch', region: 'shared' }),
        })).status;
      const players = await Promise.all(Array.from({ length: 30 }, (_, i) => guest(nodeA, `P${i}`)));
      const queued = await Promise.all(players.map((p, i) => queueAt(i % 2 ? nodeB : nodeA.url, p.token)));
      expect(queued.every((status) => status === 202)).toBe(true);

      const statuses = async () => Promise.all(players.map(async (p) => (await nodeA.call('GET', '/api/matchmaking/status', { token: p.token })).body));
      await expect.poll(async () => (await statuses()).filter((s) => s.status === 'matched').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(28);
      const matched = (await statuses()).filter((s) => s.status === 'matched');
      const rooms = new Map<string, { players: string[]; node: string }>();
      for (const status of matched) rooms.set(status.room_id, { players: status.players, node: status.node });
      const seated = [...rooms.values()].flatMap((room) => room.players);
      expect(new Set(seated).size).toBe(seated.length);
      for (const [roomId, room] of rooms) {
        expect(room.players.length).toBeGreaterThanOrEqual(2);
        expect(room.players.length).toBeLessThanOrEqual(4);
        // Each room lives on the node that formed the match, and only there.
        expect((await nodeA.server.rooms.list({})).some((r) => r.room_id === roomId)).toBe(room.node === 'node-a');
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await nodeA.stop();
    }
  }, 60_000);
});

describe('a match that falls apart', () => {
  it('is called off when a matched player does not join, and the others are re-queued with priority', async () => {
    const server = await startTestServer({ MATCHMAKING_INTERVAL: '100', MATCH_JOIN_TIMEOUT: '1', MAX_PLAYERS_PER_MATCH: '2' });
    try {
      const present = sdkClient(server.url).client;
      const absent = sdkClient(server.url).client;
      await present.guest('Present');
      await absent.guest('Absent');
      await present.connect();
      const found = waitFor(present, 'match_found');
      await present.queueForMatch({ game_mode: 'deathmatch', region: 'flaky' });
      await absent.queueForMatch({ game_mode: 'deathmatch', region: 'flaky' });
      const match = await found;
      const cancelled = waitFor(present, 'match_cancelled', () => true, 10_000);
      await present.joinRoom(match.room_id);
      expect(await cancelled).toMatchObject({ room_id: match.room_id, reason: 'player_missing', requeued: true });
      expect(await present.matchmakingStatus()).toMatchObject({ status: 'queued', priority: true, region: 'flaky' });
      expect(await absent.matchmakingStatus()).toMatchObject({ status: 'cancelled', reason: 'did_not_join' });
      await expect.poll(async () => (await server.call('GET', `/api/rooms/${match.room_id}`, { token: present.accessToken })).status).toBe(404);

      // Back in the queue: the next compatible player is matched with the dropped one, who can join a new room.
      const again = waitFor(present, 'match_found');
      const newcomer = sdkClient(server.url).client;
      await newcomer.guest('Newcomer');
      await newcomer.queueForMatch({ game_mode: 'deathmatch', region: 'flaky' });
      const second = await again;
      expect(second.room_id).not.toBe(match.room_id);
      await present.joinRoom(second.room_id);
      for (const client of [present, absent, newcomer]) client.close();
    } finally {
      await server.stop();
    }
  });
});

describe.runIf(realBackends)('a matchmaking node dying', () => {
  it('loses no ticket: another node takes the lead and forms the match', async () => {
    const shared = isolation();
    const settings = { MATCHMAKING_INTERVAL: '100', MAX_PLAYERS_PER_MATCH: '2' };
    const first = await startTestServer({ ...settings, NODE_NAME: 'first' }, shared);
    const second = await startTestServer({ ...settings, NODE_NAME: 'second' }, shared);
    try {
      const early = await guest(first, 'Early');
      const late = await guest(second, 'Late');
      await first.call('POST', '/api/matchmaking/queue', { token: early.token, body: { game_mode: 'deathmatch', region: 'failover' } });
      await first.server.close(); // the node that took the ticket (and perhaps the lead) is gone
      await second.call('POST', '/api/matchmaking/queue', { token: late.token, body: { game_mode: 'deathmatch', region: 'failover' } });
      const status = async (token: string) => (await second.call('GET', '/api/matchmaking/status', { token })).body;
      await expect.poll(async () => (await status(early.token)).status, { timeout: 5_000 }).toBe('matched');
      expect(await status(late.token)).toMatchObject({ status: 'matched', node: 'second' });
    } finally {
      await second.stop();
    }
  });
});
