import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { TestSocket } from './support/ws.js';

async function createRoom(t: TestServer, token: string, maxPlayers = 8): Promise<string> {
  const res = await t.call('POST', '/api/rooms/create', { token, body: { room_name: 'Limits', max_players: maxPlayers } });
  expect(res.status).toBe(201);
  return res.body.room_id;
}

async function withServer(overrides: Record<string, string>, run: (t: TestServer, token: string) => Promise<void>) {
  const t = await startTestServer(overrides);
  try {
    const token = (await t.call('POST', '/auth/guest')).body.access_token;
    await run(t, token);
  } finally {
    await t.stop();
  }
}

async function player(t: TestServer, name: string, roomId?: string): Promise<TestSocket> {
  const socket = await TestSocket.open(t.url);
  socket.send({ type: 'auth', player_name: name });
  await socket.next('auth_ok');
  if (roomId) {
    socket.send({ type: 'join_room', room_id: roomId });
    await socket.next('room_joined');
  }
  return socket;
}

const metric = async (t: TestServer, name: string) => {
  const text: string = (await t.call('GET', '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('connection limits', () => {
  it('closes connections beyond MAX_CONNECTIONS with 1013', () =>
    withServer({ MAX_CONNECTIONS: '2', MAX_CONNECTIONS_PER_ROOM: '2', MAX_PLAYERS_PER_MATCH: '2' }, async (t) => {
      const a = await TestSocket.open(t.url);
      const b = await TestSocket.open(t.url);
      const c = await TestSocket.open(t.url);
      expect(await c.closed).toMatchObject({ code: 1013, reason: 'server full' });
      a.close();
      await a.closed;
      await expect.poll(() => metric(t, 'gamev1_connections_active')).toBe(1);
      const d = await TestSocket.open(t.url);
      d.send({ type: 'ping' });
      await d.next('pong');
      b.close();
      d.close();
    }));

  it('closes a silent connection that answers no pings after CONNECTION_TIMEOUT with 4000', () =>
    withServer({ CONNECTION_TIMEOUT: '1' }, async (t) => {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/ws`, { autoPong: false });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      expect(await closed).toBe(4000);
      // A client that answers pings stays connected past the timeout.
      const alive = await TestSocket.open(t.url);
      alive.send({ type: 'auth', player_name: 'Alive' });
      await alive.next('auth_ok');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      alive.send({ type: 'ping', t: 1 });
      await alive.next('pong');
      alive.close();
    }));
});

describe('heartbeat pings', () => {
  it('pings a quiet connection, not one that keeps sending', () =>
    withServer({ CONNECTION_TIMEOUT: '1' }, async (t) => {
      const quiet = await TestSocket.open(t.url);
      const busy = await TestSocket.open(t.url);
      let busyPings = 0;
      busy.ws.on('ping', () => busyPings++);
      const quietPinged = new Promise<void>((resolve) => quiet.ws.once('ping', () => resolve()));
      // The busy one talks every 50 ms, well inside a third of the 1 s timeout, until the quiet one is pinged twice.
      const chatter = setInterval(() => busy.send({ type: 'ping', t: 0 }), 50);
      await quietPinged;
      await new Promise<void>((resolve) => quiet.ws.once('ping', () => resolve()));
      clearInterval(chatter);
      expect(busyPings).toBe(0);
      quiet.close();
      busy.close();
    }));
});

describe('compression', () => {
  it('negotiates permessage-deflate only when ENABLE_COMPRESSION is on', async () => {
    await withServer({ ENABLE_COMPRESSION: 'true' }, async (t) => {
      const socket = await TestSocket.open(t.url);
      expect(socket.ws.extensions).toContain('permessage-deflate');
      socket.send({ type: 'ping', t: 7 });
      expect(await socket.next('pong')).toEqual({ type: 'pong', t: 7 });
      socket.close();
    });
    await withServer({}, async (t) => {
      const socket = await TestSocket.open(t.url);
      expect(socket.ws.extensions).toBe('');
      socket.close();
    });
  });
});

describe('slow clients', () => {
  it('skips snapshots for a client that stops reading, then drops it; the tick and others go on', () =>
    // MESSAGE_QUEUE_SIZE out of reach: the client is dropped for staying congested (5 s), never by the flood
    // that congests it, so snapshots are skipped first however fast the machine is.
    withServer({ WS_MESSAGE_RATE: '100000', MESSAGE_QUEUE_SIZE: '1000000', MAX_MESSAGE_SIZE: '65536' }, async (t, token) => {
      const roomId = await createRoom(t, token);
      const sender = await player(t, 'Sender', roomId);
      const slow = await player(t, 'Slow', roomId);
      await sender.next('player_joined');
      slow.ws.pause();
      // Fill the slow client's socket with room chat until the server finds it congested and skips its snapshots.
      const message = 'x'.repeat(500);
      for (let round = 0; round < 200 && (await metric(t, 'gamev1_snapshots_skipped_total')) === 0; round++) {
        for (let i = 0; i < 499; i++) sender.send({ type: 'chat', room_id: roomId, message });
        sender.send({ type: 'chat', room_id: roomId, message: `end of round ${round}` });
        await sender.next('chat', (m) => m.message === `end of round ${round}`);
      }
      await expect.poll(() => metric(t, 'gamev1_snapshots_skipped_total'), { timeout: 5_000 }).toBeGreaterThan(0);
      expect(await metric(t, 'gamev1_slow_clients_dropped_total')).toBe(0);

      const disconnected = await sender.next('player_disconnected', () => true, 15_000);
      expect(disconnected.player.name).toBe('Slow');
      expect(await metric(t, 'gamev1_slow_clients_dropped_total')).toBe(1);
      const tick = (await sender.next('game_snapshot')).tick;
      expect((await sender.next('game_snapshot')).tick).toBeGreaterThan(tick);
      sender.close();
      slow.ws.terminate();
    }));
});

describe('reconnection', () => {
  it('keeps the seat, entity and score through a reconnect within RECONNECT_GRACE', () =>
    withServer({ RECONNECT_GRACE: '30' }, async (t, token) => {
      const roomId = await createRoom(t, token);
      const watcher = await player(t, 'Watcher', roomId);
      const first = await TestSocket.open(t.url);
      first.send({ type: 'auth', player_name: 'Phoenix' });
      const ok = await first.next('auth_ok');
      first.send({ type: 'join_room', room_id: roomId });
      const joined = await first.next('room_joined');
      first.ws.terminate();
      expect((await watcher.next('player_disconnected')).player).toMatchObject({ name: 'Phoenix', connected: false });

      const again = await TestSocket.open(t.url);
      again.send({ type: 'auth', token: ok.token });
      expect((await again.next('auth_ok')).player_id).toBe(ok.player_id);
      again.send({ type: 'join_room', room_id: roomId });
      const resumed = await again.next('room_joined');
      expect(resumed).toMatchObject({ resumed: true, entity_id: joined.entity_id });
      expect((await watcher.next('player_reconnected')).player).toMatchObject({ name: 'Phoenix', connected: true });
      watcher.close();
      again.close();
    }));

  it('frees the seat with player_left(timeout) once the grace period is over', () =>
    withServer({ RECONNECT_GRACE: '1' }, async (t, token) => {
      const roomId = await createRoom(t, token);
      const watcher = await player(t, 'Watcher', roomId);
      const gone = await player(t, 'Gone', roomId);
      gone.ws.terminate();
      await watcher.next('player_disconnected');
      const left = await watcher.next('player_left', () => true, 5_000);
      expect(left).toMatchObject({ reason: 'timeout', player: { name: 'Gone' } });
      watcher.close();
    }));
});

describe('matches and room lifecycle', () => {
  it('ends a match at the time limit, records it in the games table, and starts the next', () =>
    withServer({ TIME_LIMIT: '1', MATCH_RESTART_DELAY: '1' }, async (t, token) => {
      const roomId = await createRoom(t, token);
      const socket = await player(t, 'Timer', roomId);
      const ended = await socket.next('match_ended', () => true, 5_000);
      expect(ended.reason).toBe('time_limit');
      expect(ended.results).toEqual([{ player_id: expect.any(String), name: 'Timer', score: 0, deaths: 0, rank: 1 }]);
      await socket.next('match_started', () => true, 5_000);
      await expect
        .poll(async () => (await t.server.db.query<{ status: string }>('SELECT status FROM games WHERE room_id = $1 ORDER BY created_at', [roomId])).rows.map((r) => r.status))
        .toEqual(['finished', 'in_progress']);
      const { rows } = await t.server.db.query<{ results: { reason: string; players: unknown[] }; game_mode: string }>(
        `SELECT results, game_mode FROM games WHERE room_id = $1 AND status = 'finished'`,
        [roomId],
      );
      expect(rows[0]).toMatchObject({ game_mode: 'deathmatch', results: { reason: 'time_limit', players: ended.results } });
      socket.close();
    }));

  it('disposes an empty room after EMPTY_ROOM_TIMEOUT and aborts its unfinished game', () =>
    withServer({ EMPTY_ROOM_TIMEOUT: '1', RECONNECT_GRACE: '0' }, async (t, token) => {
      const roomId = await createRoom(t, token);
      const socket = await player(t, 'Leaver', roomId);
      socket.send({ type: 'leave_room', room_id: roomId });
      await socket.next('room_left');
      await expect.poll(async () => (await t.call('GET', `/api/rooms/${roomId}`, { token })).status, { timeout: 5_000 }).toBe(404);
      await expect
        .poll(async () => (await t.server.db.query<{ status: string }>('SELECT status FROM games WHERE room_id = $1', [roomId])).rows)
        .toEqual([{ status: 'aborted' }]);
      socket.close();
    }));
});
