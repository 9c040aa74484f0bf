import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../src/protocol/index.js';
import { isolation, realBackends, startTestServer, type TestServer } from './support/server.js';
import { TestSocket } from './support/ws.js';

let t: TestServer;
let hostToken: string;

beforeAll(async () => {
  t = await startTestServer({ WS_MESSAGE_RATE: '50', MAX_MESSAGE_SIZE: '4096' });
  hostToken = (await t.call('POST', '/auth/guest', { body: { display_name: 'Host' } })).body.access_token;
});
afterAll(() => t?.stop());

async function createRoom(maxPlayers = 8): Promise<string> {
  const res = await t.call('POST', '/api/rooms/create', {
    token: hostToken,
    body: { room_name: 'Test Room', game_mode: 'deathmatch', max_players: maxPlayers },
  });
  expect(res.status).toBe(201);
  return res.body.room_id;
}

/** A connected, authenticated socket (guest form) that has joined `roomId` when given. */
async function player(name: string, roomId?: string, protocol?: string): Promise<TestSocket> {
  const socket = await TestSocket.open(t.url, protocol);
  socket.send({ type: 'auth', player_id: name, player_name: name });
  await socket.next('auth_ok');
  if (roomId) {
    socket.send({ type: 'join_room', room_id: roomId });
    await socket.next('room_joined');
  }
  return socket;
}

function playerIdOf(socket: TestSocket): string {
  const ok = socket.received.find((message) => message.type === 'auth_ok');
  if (ok?.type !== 'auth_ok') throw new Error('socket is not authenticated');
  return ok.player_id;
}

describe('the seed JavaScript client', () => {
  it('works unchanged: auth, join, snapshots, input, player_joined', async () => {
    const roomId = await createRoom();
    // The brief's GameV1Client, verbatim (plain JavaScript, hence the loose types), with handlers a game would add.
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    class GameV1Client {
      serverUrl: string; ws: any; roomId: string | null; playerId: string | null;
      constructor(serverUrl: string) {
        this.serverUrl = serverUrl;
        this.ws = null;
        this.roomId = null;
        this.playerId = null;
      }
      async connect(playerId: string, playerName: string) {
        return new Promise<void>((resolve, reject) => {
          this.ws = new WebSocket(`${this.serverUrl}/ws`);
          this.ws.onopen = () => {
            this.authenticate(playerId, playerName);
            resolve();
          };
          this.ws.onerror = reject;
          this.ws.onmessage = (event: { data: string }) => {
            this.handleMessage(JSON.parse(event.data));
          };
        });
      }
      async authenticate(playerId: string, playerName: string) {
        this.playerId = playerId;
        this.ws.send(JSON.stringify({ type: 'auth', player_id: playerId, player_name: playerName }));
      }
      async joinRoom(roomId: string) {
        this.roomId = roomId;
        this.ws.send(JSON.stringify({ type: 'join_room', room_id: roomId, player_id: this.playerId }));
      }
      sendInput(inputData: unknown) {
        this.ws.send(JSON.stringify({ type: 'game_input', room_id: this.roomId, sequence: Date.now(), input: inputData }));
      }
      handleMessage(message: any) {
        switch (message.type) {
          case 'game_snapshot':
            this.onGameSnapshot(message.snapshot);
            break;
          case 'player_joined':
            this.onPlayerJoined(message.player);
            break;
          case 'player_left':
            this.onPlayerLeft(message.player);
            break;
        }
      }
      snapshots: any[] = [];
      joined: any[] = [];
      left: any[] = [];
      onGameSnapshot(snapshot: unknown) { this.snapshots.push(snapshot); }
      onPlayerJoined(player: unknown) { this.joined.push(player); }
      onPlayerLeft(player: unknown) { this.left.push(player); }
    }

    const ann = new GameV1Client(t.url.replace('http', 'ws'));
    await ann.connect('player456', 'Ann');
    await ann.joinRoom(roomId);
    await expect.poll(() => ann.snapshots.length).toBeGreaterThan(0);
    const first = ann.snapshots.at(-1);
    expect(first.players).toHaveLength(1);
    expect(first.players[0]).toMatchObject({ name: 'Ann', health: 100, alive: true });
    const start = first.players[0].position;

    // Towards the centre: spawn points are random and a wall may be right behind the other way.
    const towardsCentre = start.x > 0 ? -1.0 : 1.0;
    ann.sendInput({ movement: { x: towardsCentre, y: 0.0, z: 0.0 }, actions: ['jump', 'shoot'] });
    await expect.poll(() => ann.snapshots.at(-1).players[0].last_input_sequence).toBeGreaterThan(0);
    await expect.poll(() => (ann.snapshots.at(-1).players[0].position.x - start.x) * towardsCentre).toBeGreaterThan(0);

    const bob = new GameV1Client(t.url.replace('http', 'ws'));
    await bob.connect('player789', 'Bob');
    await bob.joinRoom(roomId);
    await expect.poll(() => ann.joined.map((p) => p.name)).toEqual(['Bob']);
    await expect.poll(() => bob.snapshots.at(-1)?.players.length).toBe(2);

    // Bob drops: Ann is told, and Bob keeps his seat in her snapshots for the grace period (RECONNECT_GRACE, 30 s).
    const annSaw: ServerMessage[] = [];
    (ann.ws as WebSocket).on('message', (data) => annSaw.push(JSON.parse(String(data)) as ServerMessage));
    bob.ws.close();
    await expect.poll(() => annSaw.find((m) => m.type === 'player_disconnected')).toMatchObject({
      room_id: roomId,
      player: { id: ann.joined[0].id, name: 'Bob', connected: false },
    });
    const seen = ann.snapshots.length;
    await expect.poll(() => ann.snapshots.length).toBeGreaterThan(seen + 2);
    for (const snapshot of ann.snapshots.slice(seen)) expect(snapshot.players.map((p: { name: string }) => p.name).sort()).toEqual(['Ann', 'Bob']);
    expect(annSaw.filter((m) => m.type === 'player_left')).toEqual([]);
    ann.ws.close();
  });
});

describe('bad input never hurts the server or other players', () => {
  it('answers bad JSON, unknown types and invalid fields with an error and keeps the connection', async () => {
    const roomId = await createRoom();
    const bystander = await player('Bystander', roomId);
    const socket = await player('Sender', roomId);
    socket.sendRaw('{"type": "chat", ');
    expect(await socket.next('error')).toMatchObject({ code: 'bad_message', message: 'frame is not valid JSON' });
    socket.sendRaw('[1,2,3]');
    expect((await socket.next('error')).code).toBe('bad_message');
    socket.send({ type: 'teleport', to: { x: 1000 } });
    expect(await socket.next('error')).toMatchObject({ code: 'unknown_type', ref: 'teleport' });
    socket.send({ type: 'game_input', room_id: roomId, sequence: 1, input: { movement: 'fast' } });
    const invalid = await socket.next('error');
    expect(invalid).toMatchObject({ code: 'bad_message', ref: 'game_input' });
    expect(invalid.message).toMatch(/movement/);
    socket.send({ type: 'game_input', room_id: roomId, sequence: -5, input: { movement: { x: 1, y: 0, z: 0 } } });
    expect((await socket.next('error')).code).toBe('bad_message');
    socket.sendRaw(Buffer.from([0xc1, 0xff, 0x00]));
    expect(await socket.next('error')).toMatchObject({ code: 'bad_message', message: 'frame is not valid MessagePack' });

    socket.send({ type: 'ping', t: 42 });
    expect(await socket.next('pong')).toEqual({ type: 'pong', t: 42 });
    const tick = (await bystander.next('game_snapshot')).tick;
    expect((await bystander.next('game_snapshot')).tick).toBeGreaterThan(tick);
    socket.close();
    bystander.close();
  });

  it('survives a barrage of random and hostile frames without crashing or disturbing anyone', async () => {
    const roomId = await createRoom();
    const bystander = await player('Steady', roomId);
    const fuzzer = await player('Fuzzer', roomId);
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const values = [null, true, -1, 1e308, 'x'.repeat(40), [], {}, { x: 'y' }, [1, [2, [3]]], NaN];
    const pick = () => values[Math.floor(random() * values.length)];
    const types = ['auth', 'join_room', 'leave_room', 'game_input', 'snapshot_ack', 'chat', 'webrtc_ice', 'ping', '__proto__', 'constructor'];
    // 3 frames a round, 25 rounds: within this server's burst allowance (2 × WS_MESSAGE_RATE), so none is dropped.
    for (let i = 0; i < 25; i++) {
      fuzzer.sendRaw(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))));
      fuzzer.send({ type: types[i % types.length], room_id: pick(), sequence: pick(), input: { movement: pick(), actions: pick(), aim: pick() }, message: pick(), tick: pick() });
      fuzzer.sendRaw(JSON.stringify({ type: types[i % types.length], __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }));
    }
    fuzzer.send({ type: 'ping', t: 99 });
    expect(await fuzzer.next('pong', (m) => m.t === 99)).toEqual({ type: 'pong', t: 99 });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    const tick = (await bystander.next('game_snapshot')).tick;
    expect((await bystander.next('game_snapshot')).tick).toBeGreaterThan(tick);
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    fuzzer.close();
    bystander.close();
  });

  it('closes a connection that sends an oversized frame with 1009, others unaffected', async () => {
    const roomId = await createRoom();
    const bystander = await player('Calm', roomId);
    const socket = await player('Big', roomId);
    socket.sendRaw(JSON.stringify({ type: 'chat', room_id: roomId, message: 'x'.repeat(10_000) }));
    expect((await socket.closed).code).toBe(1009);
    const left = await bystander.next('player_disconnected');
    expect(left.player.name).toBe('Big');
    await bystander.next('game_snapshot');
    bystander.close();
  });

  it('drops messages over the rate with rate_limited, and closes a flood with 1008', async () => {
    const roomId = await createRoom();
    const bystander = await player('Quiet', roomId);
    const socket = await player('Noisy', roomId);
    for (let i = 0; i < 150; i++) socket.send({ type: 'ping' });
    expect(await socket.next('error')).toMatchObject({ code: 'rate_limited' });
    for (let i = 0; i < 500; i++) socket.send({ type: 'ping' });
    expect((await socket.closed).code).toBe(1008);
    const tick = (await bystander.next('game_snapshot')).tick;
    expect((await bystander.next('game_snapshot')).tick).toBeGreaterThan(tick);
    bystander.close();
  });
});

describe('authentication', () => {
  it('accepts an access token and queues messages sent before auth_ok', async () => {
    const roomId = await createRoom();
    const socket = await TestSocket.open(t.url);
    socket.send({ type: 'auth', token: hostToken });
    socket.send({ type: 'join_room', room_id: roomId });
    expect(await socket.next('auth_ok')).toMatchObject({ display_name: 'Host', is_guest: true });
    expect((await socket.next('room_joined')).room_id).toBe(roomId);
    socket.close();
  });

  it('refuses room messages before auth and closes with 4003 on a bad token', async () => {
    const socket = await TestSocket.open(t.url);
    socket.send({ type: 'join_room', room_id: 'room123' });
    expect(await socket.next('error')).toMatchObject({ code: 'not_authenticated', ref: 'join_room' });
    socket.send({ type: 'auth', token: 'forged.token.value' });
    expect(await socket.next('error')).toMatchObject({ code: 'auth_failed' });
    expect((await socket.closed).code).toBe(4003);
  });

  it('marks the player online while connected', async () => {
    const socket = await player('Presence');
    const id = playerIdOf(socket);
    const online = async () =>
      (await t.server.db.query<{ is_online: boolean }>('SELECT is_online FROM players WHERE id = $1', [id])).rows[0]?.is_online;
    await expect.poll(online).toBe(true);
    socket.close();
    await expect.poll(online).toBe(false);
  });

  it('rejects a second auth on the same connection', async () => {
    const socket = await player('Twice');
    socket.send({ type: 'auth', player_name: 'Again' });
    expect(await socket.next('error')).toMatchObject({ code: 'already_authenticated' });
    socket.close();
  });

  it('closes the older connection with 4004 when the same player connects again', async () => {
    const roomId = await createRoom();
    const first = await TestSocket.open(t.url);
    first.send({ type: 'auth', token: hostToken });
    await first.next('auth_ok');
    first.send({ type: 'join_room', room_id: roomId });
    await first.next('room_joined');
    const second = await TestSocket.open(t.url);
    second.send({ type: 'auth', token: hostToken });
    await second.next('auth_ok');
    expect((await first.closed).code).toBe(4004);
    second.send({ type: 'join_room', room_id: roomId });
    expect((await second.next('room_joined')).resumed).toBe(true);
    second.close();
  });
});

describe.runIf(realBackends)('one live connection per player across nodes', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const shared = isolation();
    a = await startTestServer({ NODE_NAME: 'node-a' }, shared);
    b = await startTestServer({ NODE_NAME: 'node-b' }, shared);
  });
  afterAll(async () => {
    await b?.server.close();
    await a?.stop();
  });

  const guestToken = async (name: string): Promise<string> =>
    (await a.call('POST', '/auth/guest', { body: { display_name: name } })).body.access_token;

  async function authed(on: TestServer, token: string): Promise<TestSocket> {
    const socket = await TestSocket.open(on.url);
    socket.send({ type: 'auth', token });
    await socket.next('auth_ok');
    return socket;
  }

  /** Resolves once the socket's own global chat came back through the cache: its node is still serving it. */
  async function stillServed(socket: TestSocket, text: string): Promise<void> {
    socket.send({ type: 'chat', message_type: 'global', message: text });
    await socket.next('chat', (chat) => chat.message === text);
  }

  it('closes the older connection on another node with 4004 and keeps the player online', async () => {
    const token = await guestToken('Roamer');
    const first = await authed(a, token);
    const id = playerIdOf(first);
    const second = await authed(b, token);
    expect((await first.closed).code).toBe(4004);
    await stillServed(second, 'still here');
    const online = async () =>
      (await a.server.db.query<{ is_online: boolean }>('SELECT is_online FROM players WHERE id = $1', [id])).rows[0]?.is_online;
    expect(await online()).toBe(true);
    second.close();
    await expect.poll(online).toBe(false);
  });

  it('leaves exactly one of two connections that authenticate at the same time on two nodes', async () => {
    const token = await guestToken('Twin');
    const sockets = await Promise.all([TestSocket.open(a.url), TestSocket.open(b.url)]);
    for (const socket of sockets) socket.send({ type: 'auth', token });
    const loser = await Promise.race(sockets.map((socket) => socket.closed.then(() => socket)));
    expect((await loser.closed).code).toBe(4004);
    const survivor = sockets.find((socket) => socket !== loser)!;
    await survivor.next('auth_ok');
    await stillServed(survivor, 'the one left');
    survivor.close();
  });
});

describe('rooms over WebSocket', () => {
  it('reports unknown rooms, full rooms, and messages for a room you are not in', async () => {
    const socket = await player('Roamer');
    socket.send({ type: 'join_room', room_id: 'room123' });
    expect(await socket.next('error')).toMatchObject({ code: 'room_not_found', ref: 'join_room' });

    const tiny = await createRoom(1);
    const occupant = await player('Occupant', tiny);
    socket.send({ type: 'join_room', room_id: tiny });
    expect(await socket.next('error')).toMatchObject({ code: 'room_full' });

    socket.send({ type: 'game_input', room_id: tiny, sequence: 1, input: { movement: { x: 0, y: 0, z: 0 } } });
    expect(await socket.next('error')).toMatchObject({ code: 'not_in_room', ref: 'game_input' });

    const other = await createRoom();
    socket.send({ type: 'join_room', room_id: other });
    await socket.next('room_joined');
    const third = await createRoom();
    socket.send({ type: 'join_room', room_id: third });
    expect(await socket.next('error')).toMatchObject({ code: 'already_in_room' });
    socket.send({ type: 'leave_room', room_id: third });
    expect(await socket.next('error')).toMatchObject({ code: 'not_in_room' });
    socket.send({ type: 'leave_room', room_id: other });
    await socket.next('room_left');
    socket.send({ type: 'join_room', room_id: third });
    await socket.next('room_joined');
    socket.close();
    occupant.close();
  });

  it('tells the others when a player leaves, and accepts JSON and MessagePack clients in one room', async () => {
    const roomId = await createRoom();
    const json = await player('Json', roomId);
    const binary = await player('Binary', roomId, 'gamev1.msgpack');
    expect((await json.next('player_joined')).player.name).toBe('Binary');
    const snapshot = await binary.next('game_snapshot');
    expect('delta' in snapshot && snapshot.delta).toBeInstanceOf(Uint8Array);
    binary.send({ type: 'leave_room', room_id: roomId });
    await binary.next('room_left');
    const left = await json.next('player_left');
    expect(left).toMatchObject({ reason: 'left', player: { name: 'Binary' } });
    json.close();
    binary.close();
  });

  it('relays chat to the room and globally', async () => {
    const roomId = await createRoom();
    const ann = await player('ChatAnn', roomId);
    const bob = await player('ChatBob', roomId);
    const outsider = await player('Outsider');
    ann.send({ type: 'chat', room_id: roomId, message: 'Hello everyone!', message_type: 'room' });
    expect(await bob.next('chat')).toMatchObject({ room_id: roomId, message_type: 'room', message: 'Hello everyone!', from: { name: 'ChatAnn' } });
    ann.send({ type: 'chat', room_id: roomId, message: 'Hello world!', message_type: 'global' });
    expect(await outsider.next('chat')).toMatchObject({ message_type: 'global', message: 'Hello world!', from: { name: 'ChatAnn' } });
    outsider.send({ type: 'chat', room_id: roomId, message: 'let me in', message_type: 'room' });
    expect(await outsider.next('error')).toMatchObject({ code: 'not_in_room', ref: 'chat' });
    for (const s of [ann, bob, outsider]) s.close();
  });

  it('relays WebRTC signalling only to a peer in the same room', async () => {
    const roomId = await createRoom();
    const ann = await player('RtcAnn', roomId);
    const bob = await player('RtcBob', roomId);
    const bobId = (await ann.next('player_joined')).player.id;
    const annId = playerIdOf(ann);
    ann.send({ type: 'webrtc_offer', room_id: roomId, peer_id: bobId, sdp: 'offer-sdp-data' });
    expect(await bob.next('webrtc_offer')).toEqual({ type: 'webrtc_offer', room_id: roomId, from: annId, sdp: 'offer-sdp-data' });
    bob.send({ type: 'webrtc_answer', room_id: roomId, peer_id: annId, sdp: 'answer-sdp' });
    expect(await ann.next('webrtc_answer')).toMatchObject({ from: bobId, sdp: 'answer-sdp' });
    bob.send({ type: 'webrtc_ice', room_id: roomId, peer_id: annId, candidate: { candidate: 'candidate:1', sdpMid: '0' } });
    expect(await ann.next('webrtc_ice')).toMatchObject({ from: bobId, candidate: { candidate: 'candidate:1' } });

    const stranger = await player('Stranger', await createRoom());
    const strangerId = playerIdOf(stranger);
    ann.send({ type: 'webrtc_offer', room_id: roomId, peer_id: strangerId, sdp: 'x' });
    expect(await ann.next('error')).toMatchObject({ code: 'peer_not_found' });
    for (const s of [ann, bob, stranger]) s.close();
  });
});
