/**
 * A node of two worker processes (WORKERS=2) started as `npm start` would: the port is shared, rooms live in
 * either process, HTTP calls reach the hosting process, and a WebSocket that joins a room hosted by the
 * other process is moved there with its socket, losing nothing. Needs PostgreSQL and Redis (the embedded
 * database and memory cache belong to one process), so it runs in the real-services pass of `.ci/run`.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess } from './support/process.js';
import { dropIsolation, isolation, realBackends, testConfig } from './support/server.js';
import { TestSocket } from './support/ws.js';

type Reply = { status: number; body: Record<string, unknown> };

/** One HTTP call on a fresh TCP connection, so that successive calls land on alternating workers. */
function call(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method,
      agent: false,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : { text } }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const hostOf = (roomId: string) => roomId.slice(roomId.lastIndexOf('.'));

describe.skipIf(!realBackends)('a node of two worker processes', () => {
  const scope = isolation();
  // Spawned in beforeAll, so a skipped suite (the embedded-backend pass) starts no process.
  let child: ReturnType<typeof startProcess>;
  let lines: Interface;
  const log: string[] = [];
  const logged = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const found = log.find((line) => pattern.test(line));
      if (found) return resolve(found);
      const onLine = (line: string) => {
        if (!pattern.test(line)) return;
        lines.off('line', onLine);
        resolve(line);
      };
      lines.on('line', onLine);
    });
  let base = '';
  let token = '';
  const rooms: string[] = [];
  const sockets: TestSocket[] = [];

  async function guestSocket(name: string): Promise<TestSocket> {
    const socket = await TestSocket.open(base, 'gamev1.msgpack');
    sockets.push(socket);
    socket.send({ type: 'auth', player_name: name });
    await socket.next('auth_ok');
    return socket;
  }

  beforeAll(async () => {
    child = startProcess({
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      REDIS_URL: process.env.REDIS_URL ?? '',
      DATABASE_SCHEMA: scope.schema,
      REDIS_KEY_PREFIX: scope.keyPrefix,
      GATEWAY_BIND_ADDR: '127.0.0.1:0',
      JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
      NODE_NAME: 'cl',
      WORKERS: '2',
      MAX_PLAYERS_PER_MATCH: '2',
      MATCHMAKING_INTERVAL: '100',
      LOG_LEVEL: 'info',
    });
    lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => log.push(line));
    const line = await logged(/with 2 worker processes/);
    base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
    token = (await call(base, 'POST', '/auth/guest', { body: { display_name: 'host' } })).body.access_token as string;
    for (let i = 0; i < 6; i++) {
      const created = await call(base, 'POST', '/api/rooms/create', { token, body: { room_name: `room ${i}`, max_players: 10 } });
      expect(created.status).toBe(201);
      rooms.push(created.body.room_id as string);
    }
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    child?.kill('SIGKILL');
    await dropIsolation(testConfig({}, scope));
  });

  it('spreads rooms over both processes and names the host in the room id', () => {
    expect(new Set(rooms.map(hostOf))).toEqual(new Set(['.w1', '.w2']));
  });

  it('answers room calls from either process', async () => {
    const listed = await call(base, 'GET', '/api/rooms/list', { token });
    expect((listed.body.rooms as { room_id: string }[]).map((room) => room.room_id).sort()).toEqual([...rooms].sort());
    for (let i = 0; i < 4; i++) {
      for (const roomId of rooms) {
        const described = await call(base, 'GET', `/api/rooms/${roomId}`, { token });
        expect(described.status).toBe(200);
        expect(described.body.room_id).toBe(roomId);
      }
    }
    for (const missing of ['room_000000000000.w2', 'room_000000000000.w1', 'room_000000000000.w9']) {
      const reply = await call(base, 'GET', `/api/rooms/${missing}`, { token });
      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('room_not_found');
    }
  });

  it('moves a connection to the room it joins, with the messages sent right behind the join', async () => {
    const roomId = rooms[0]!;
    const players = await Promise.all(['a', 'b', 'c', 'd'].map(guestSocket));
    for (const socket of players) {
      // A join and a burst of inputs in one TCP write: what arrives while the socket moves must follow it.
      const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
      tcp.cork();
      socket.send({ type: 'join_room', room_id: roomId });
      for (let sequence = 1; sequence <= 5; sequence++) {
        socket.send({ type: 'game_input', room_id: roomId, sequence, input: { movement: { x: 1, y: 0, z: 0 } } });
      }
      tcp.uncork();
    }
    for (const socket of players) {
      await socket.next('room_joined');
      await socket.next('game_snapshot', (snapshot) => snapshot.ack === 5);
    }
    const described = await call(base, 'GET', `/api/rooms/${roomId}`, { token });
    expect((described.body.players as unknown[]).length).toBe(4);

    players[0]!.send({ type: 'chat', room_id: roomId, message_type: 'room', message: 'hello room' });
    for (const socket of players) await socket.next('chat', (chat) => chat.message === 'hello room');

    const metrics = await call(base, 'GET', '/metrics');
    const text = String(metrics.body.text);
    expect(text).toMatch(/gamev1_ws_connections_moved_total\{direction="out",node="cl-w\d"\} [1-9]/);
    expect(text).toContain('node="cl-w1"');
    expect(text).toContain('node="cl-w2"');
  });

  it('reserves a seat through whichever process takes the HTTP call', async () => {
    const guest = await call(base, 'POST', '/auth/guest', { body: { display_name: 'reserver' } });
    const playerToken = guest.body.access_token as string;
    for (const roomId of rooms.slice(1, 3)) {
      const reserved = await call(base, 'POST', `/api/rooms/${roomId}/join`, { token: playerToken, body: {} });
      expect(reserved.status).toBe(200);
      const left = await call(base, 'POST', `/api/rooms/${roomId}/leave`, { token: playerToken });
      expect(left.body).toEqual({ room_id: roomId, left: true });
    }
  });

  it('hosts matches on both processes, and the matched players reach their room', async () => {
    const matched: { token: string; roomId: string }[] = [];
    const queued = [];
    for (let i = 0; i < 6; i++) {
      const player = await call(base, 'POST', '/auth/guest', { body: { display_name: `mm${i}` } });
      const playerToken = player.body.access_token as string;
      const enqueued = await call(base, 'POST', '/api/matchmaking/queue', { token: playerToken, body: { game_mode: 'deathmatch', region: `r${i >> 1}` } });
      expect(enqueued.status).toBe(202);
      queued.push(playerToken);
    }
    for (const playerToken of queued) {
      for (;;) {
        const status = await call(base, 'GET', '/api/matchmaking/status', { token: playerToken });
        if (status.body.status === 'matched') {
          matched.push({ token: playerToken, roomId: status.body.room_id as string });
          expect(status.body.node).toBe(`cl-w${hostOf(status.body.room_id as string).slice(2)}`);
          break;
        }
        expect(status.body.status).toBe('queued');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(new Set(matched.map(({ roomId }) => hostOf(roomId)))).toEqual(new Set(['.w1', '.w2']));

    const [first, second] = matched;
    expect(first!.roomId).toBe(second!.roomId);
    for (const { token: playerToken, roomId } of [first!, second!]) {
      const socket = await TestSocket.open(base, 'gamev1.msgpack');
      sockets.push(socket);
      socket.send({ type: 'auth', token: playerToken });
      await socket.next('auth_ok');
      socket.send({ type: 'join_room', room_id: roomId });
      expect((await socket.next('room_joined')).room_id).toBe(roomId);
    }
  });

  it('carries global chat to the players of both processes', async () => {
    // A socket lives in the process hosting the room it joined: one player in a room of each worker.
    const [one, two, roaming] = await Promise.all(['g1', 'g2', 'g3'].map(guestSocket));
    for (const [socket, host] of [[one!, '.w1'], [two!, '.w2']] as const) {
      socket.send({ type: 'join_room', room_id: rooms.find((id) => hostOf(id) === host)! });
      expect(hostOf((await socket.next('room_joined')).room_id)).toBe(host);
    }
    for (const [sender, name] of [[one!, 'g1'], [two!, 'g2']] as const) {
      sender.send({ type: 'chat', message_type: 'global', message: `hello from ${name}` });
      for (const socket of [one!, two!, roaming!]) {
        const chat = await socket.next('chat', (message) => message.message === `hello from ${name}`);
        expect(chat).toMatchObject({ message_type: 'global', from: { name } });
      }
    }
  });

  it('restarts a worker that dies, and drains on SIGTERM', async () => {
    const victim = /"pid":(\d+)/.exec((await logged(/"node":"cl-w2".*worker 2 ready/)))?.[1];
    expect(victim).toBeDefined();
    process.kill(Number(victim), 'SIGKILL');
    await logged(/worker 2 died/);
    // Meanwhile every new connection lands on worker 1; a join to a room of the dead worker comes back.
    const stranded = await guestSocket('stranded');
    stranded.send({ type: 'join_room', room_id: rooms.find((id) => hostOf(id) === '.w2')! });
    expect((await stranded.next('error')).code).toMatch(/server_error|room_not_found/);
    stranded.send({ type: 'ping', t: 7 });
    expect((await stranded.next('pong')).t).toBe(7);
    await logged(/worker 2 restarted/);
    const created: string[] = [];
    for (let i = 0; i < 4; i++) {
      created.push(((await call(base, 'POST', '/api/rooms/create', { token, body: { room_name: `again ${i}` } })).body.room_id as string));
    }
    expect(new Set(created.map(hostOf))).toEqual(new Set(['.w1', '.w2']));

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
