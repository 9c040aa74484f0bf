import { createServer, type Server, type Socket } from 'node:net';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSnapshot } from '../src/protocol/index.js';
import { WorkerCallError, WorkerClient, type PushInputRequest } from '../src/worker-api/index.js';
import { playerIn } from './support/play.js';
import { startTestServer, type TestServer } from './support/server.js';
import { sdkClient, waitFor } from './support/sdk.js';

let t: TestServer;
let worker: WorkerClient;
beforeAll(async () => {
  t = await startTestServer({ WORKER_GRPC_ADDR: '127.0.0.1:0', TICK_RATE: '20', SNAPSHOT_RATE: '20' });
  worker = new WorkerClient(t.server.workerApiAddress!);
});
afterAll(async () => {
  worker?.close();
  await t?.stop();
});

/** The rejection of `call`, which must fail. */
async function failure(call: Promise<unknown>): Promise<WorkerCallError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof WorkerCallError)) throw new Error(`expected a WorkerCallError, got ${String(error)}`);
  return error;
}

/** An SDK guest connected over the WebSocket, not in any room yet. */
async function connectedGuest(name: string) {
  const { client } = sdkClient(t.url);
  const player = await client.guest(name);
  await client.connect();
  return { client, id: player.id };
}

const stateOf = (snapshot: { snapshot_json: string }) => JSON.parse(snapshot.snapshot_json) as JsonSnapshot;
const seat = (room: string, player = 'nobody') => ({ room_id: room, player_id: player });

describe('worker API (gRPC control plane)', () => {
  it('serves on the bound port and reports healthy', async () => {
    expect(t.server.workerApiAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(t.server.workerApiAddress).not.toBe('127.0.0.1:0');
    expect(await worker.health()).toEqual({ status: 'SERVING', node: 'test-node', version: expect.any(String) });
  });

  it('creates a room, reserves a seat the player takes over the WebSocket, moves it by PushInput, and lets it leave', async () => {
    const ann = await connectedGuest('Ann');
    const created = await worker.createRoom({ room_name: 'Placed', max_players: 1, host_id: ann.id });
    expect(created).toMatchObject({ node: 'test-node', room: { room_name: 'Placed', game_mode: 'deathmatch', host_id: ann.id, max_players: 1, status: 'waiting' } });
    const roomId = created.room.room_id;

    const reserved = await worker.joinRoom(seat(roomId, ann.id));
    expect(reserved.room).toMatchObject({ room_id: roomId, player_count: 0 });
    // The seat is held: the one-seat room is full for anybody else.
    expect(await failure(worker.joinRoom(seat(roomId, 'somebody-else')))).toMatchObject({
      grpcStatus: status.FAILED_PRECONDITION,
      category: 'conflict',
      code: 'room_full',
    });
    // Reserved is not seated: no inputs until the WebSocket join.
    const early = await failure(worker.pushInput({ ...seat(roomId, ann.id), sequence: 1, input: { movement: { x: 1, y: 0, z: 0 } } }));
    expect(early).toMatchObject({ grpcStatus: status.FAILED_PRECONDITION, code: 'not_in_room' });

    const joined = await ann.client.joinRoom(roomId);
    expect(joined.player_id).toBe(ann.id);
    const before = await worker.getRoomSnapshot({ room_id: roomId });
    expect(before.room).toMatchObject({ room_id: roomId, player_count: 1, status: 'playing' });
    expect(before.players).toEqual([{ id: ann.id, name: 'Ann', entity_id: joined.entity_id, connected: true }]);
    const start = playerIn(stateOf(before).players, ann.id)!;
    expect(start).toMatchObject({ entity_id: joined.entity_id, name: 'Ann', alive: true });
    expect(stateOf(before).tick).toBe(before.tick);

    // Movement is held until the next input, so one input walks Ann (towards the centre: away from a wall).
    const towardsCentre = start.position.x > 0 ? -1 : 1;
    const walked = waitFor(ann.client, 'snapshot', (event) => {
      const x = playerIn(event.snapshot.players, ann.id)?.position.x;
      return x !== undefined && (x - start.position.x) * towardsCentre > 0.5;
    });
    expect(await worker.pushInput({ ...seat(roomId, ann.id), sequence: 7, input: { movement: { x: towardsCentre, y: 0, z: 0 } } })).toEqual({});
    await walked;
    const after = await worker.getRoomSnapshot({ room_id: roomId });
    const moved = playerIn(stateOf(after).players, ann.id)!;
    expect(after.tick).toBeGreaterThan(before.tick);
    expect((moved.position.x - start.position.x) * towardsCentre).toBeGreaterThan(0.5);
    expect(moved.last_input_sequence).toBe(7);

    const left = waitFor(ann.client, 'room_left');
    expect(await worker.leaveRoom(seat(roomId, ann.id))).toEqual({ room_id: roomId, left: true });
    await left;
    expect((await worker.getRoomSnapshot({ room_id: roomId })).players).toEqual([]);
    expect(await failure(worker.leaveRoom(seat(roomId, ann.id)))).toMatchObject({ grpcStatus: status.FAILED_PRECONDITION, code: 'not_in_room' });
    ann.client.close();
  });

  it('creates a room with seats held for exactly its players, for a tournament match, and removes it', async () => {
    const ann = await connectedGuest('Ann');
    const created = await worker.createRoom({
      room_name: 'Final',
      max_players: 2,
      host_id: ann.id,
      reserved: [{ player_id: ann.id, rating: 1300 }, { player_id: 'bob' }],
      reservation_seconds: 30,
      hold_until_seated: true,
      tournament_match: { tournament_id: 't1', match_id: 'm1' },
    });
    const roomId = created.room.room_id;
    expect(created).toMatchObject({ node: 'test-node', room: { room_name: 'Final', max_players: 2, player_count: 0 } });
    // Both seats are held: nobody else gets one.
    expect(await failure(worker.joinRoom(seat(roomId, 'cid')))).toMatchObject({ code: 'room_full' });
    expect((await ann.client.joinRoom(roomId)).room_id).toBe(roomId);
    // Held until Bob sits down too: the game does not start.
    const { tick } = await worker.getRoomSnapshot({ room_id: roomId });
    expect((await worker.getRoomSnapshot({ room_id: roomId })).tick).toBe(tick);
    expect(await t.server.directory.owner(roomId)).toMatchObject({ node: 'test-node' });

    expect(await worker.removeRoom({ room_id: roomId })).toEqual({});
    expect(await failure(worker.getRoomSnapshot({ room_id: roomId }))).toMatchObject({ code: 'room_not_found' });
    expect(await worker.removeRoom({ room_id: roomId })).toEqual({});
    expect(await failure(worker.createRoom({ room_name: 'Crowded', max_players: 1, host_id: 'h', reserved: [{ player_id: 'a' }, { player_id: 'b' }] }))).toMatchObject({
      category: 'invalid',
      code: 'validation_error',
    });
    ann.client.close();
  });

  it('answers an unknown room with NOT_FOUND and the GameV1 code', async () => {
    for (const call of [
      () => worker.joinRoom(seat('room_000000000000', 'p1')),
      () => worker.leaveRoom(seat('room_000000000000', 'p1')),
      () => worker.getRoomSnapshot({ room_id: 'room_000000000000' }),
      () => worker.pushInput({ ...seat('room_000000000000', 'p1'), sequence: 1, input: { movement: { x: 0, y: 0, z: 1 } } }),
    ]) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(WorkerCallError);
      expect(error).toMatchObject({ grpcStatus: status.NOT_FOUND, category: 'not_found', code: 'room_not_found' });
      expect(error.message).toContain('room_000000000000');
    }
  });

  it('refuses bad arguments with INVALID_ARGUMENT naming the field', async () => {
    const room = (await worker.createRoom({ room_name: 'Strict', max_players: 2, host_id: 'h' })).room.room_id;
    const input = { movement: { x: 0, y: 0, z: 1 } };
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => worker.createRoom({ room_name: '', max_players: 2, host_id: 'h' }), 'validation_error', /CreateRoom request: \/room_name/],
      [() => worker.createRoom({ room_name: 'x', max_players: 0, host_id: 'h' }), 'validation_error', /\/max_players must be >= 1/],
      [() => worker.createRoom({ room_name: 'x', max_players: 2, host_id: '' }), 'validation_error', /\/host_id/],
      [() => worker.createRoom({ room_name: 'x', max_players: 1000, host_id: 'h' }), 'invalid_room', /max_players must be an integer from 1 to/],
      [() => worker.createRoom({ room_name: 'x', max_players: 2, host_id: 'h', game_mode: 'chess' }), 'unsupported_game_mode', /game_mode must be one of/],
      [() => worker.joinRoom(seat('', 'p1')), 'validation_error', /JoinRoom request: \/room_id/],
      [() => worker.getRoomSnapshot({ room_id: 'x'.repeat(65) }), 'validation_error', /\/room_id/],
      [() => worker.pushInput({ ...seat(room, 'p1'), sequence: 1, input: { movement: { x: Number.NaN, y: 0, z: 0 } } }), 'validation_error', /\/input\/movement\/x/],
      [() => worker.pushInput({ ...seat(room, 'p1'), sequence: 1, input: { ...input, actions: Array(9).fill('jump') } }), 'validation_error', /\/input\/actions/],
      [() => worker.pushInput({ ...seat(room, 'p1'), sequence: 1 } as PushInputRequest), 'validation_error', /PushInput request: \/input/],
    ];
    for (const [call, code, message] of cases) {
      const error = await failure(call());
      expect(error).toMatchObject({ grpcStatus: status.INVALID_ARGUMENT, category: 'invalid', code });
      expect(error.message).toMatch(message);
    }
    expect((await worker.health()).status).toBe('SERVING');
  });

  it('refuses PushInput for a player who is not in the room with FAILED_PRECONDITION', async () => {
    const room = (await worker.createRoom({ room_name: 'Others', max_players: 2, host_id: 'h' })).room.room_id;
    const error = await failure(worker.pushInput({ ...seat(room, 'stranger'), sequence: 1, input: { movement: { x: 1, y: 0, z: 0 } } }));
    expect(error).toMatchObject({ grpcStatus: status.FAILED_PRECONDITION, category: 'conflict', code: 'not_in_room' });
  });

  it('reports the load of this process', async () => {
    const bob = await connectedGuest('Bob');
    const room = (await worker.createRoom({ room_name: 'Loaded', max_players: 2, host_id: bob.id })).room.room_id;
    await bob.client.joinRoom(room);
    const ticksBefore = await tickCount();
    const load = await worker.reportLoad();
    const rooms = await t.server.rooms.list({});
    expect(load).toMatchObject({
      node: 'test-node',
      rooms: rooms.length,
      players: rooms.reduce((sum, info) => sum + info.player_count, 0),
      tick_rate: 20,
    });
    expect(load.players).toBeGreaterThanOrEqual(1);
    expect(load.ticks).toBeGreaterThanOrEqual(ticksBefore);
    expect(load.ticks).toBeLessThanOrEqual(await tickCount());
    expect(load.tick_seconds).toBeGreaterThan(0);
    bob.client.close();
  });

  it('fails calls with UNAVAILABLE when nothing answers, and with DEADLINE_EXCEEDED past the timeout', async () => {
    const nowhere = new WorkerClient('127.0.0.1:1', { timeoutMs: 2_000 });
    expect(await failure(nowhere.health())).toMatchObject({ grpcStatus: status.UNAVAILABLE, category: 'unavailable', code: 'grpc_unavailable' });
    nowhere.close();

    // Accepts TCP connections and never speaks HTTP/2.
    const accepted: Socket[] = [];
    const silent: Server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const stuck = new WorkerClient(`127.0.0.1:${(silent.address() as { port: number }).port}`, { timeoutMs: 300 });
    expect(await failure(stuck.health())).toMatchObject({ grpcStatus: status.DEADLINE_EXCEEDED, category: 'unavailable', code: 'grpc_deadline_exceeded' });
    stuck.close();
    const closed = new Promise((resolve) => silent.close(resolve));
    for (const socket of accepted) socket.destroy();
    await closed;
  });

  it('drains: Health says DRAINING, no way of making a room works here any more, existing rooms play on', async () => {
    const room = (await worker.createRoom({ room_name: 'Before the drain', max_players: 2, host_id: 'h' })).room.room_id;
    expect((await worker.listRooms({ joinable: true })).rooms.map((listed) => listed.room_id)).toContain(room);
    expect((await worker.listRooms({ game_mode: 'team_deathmatch' })).rooms.map((listed) => listed.room_id)).not.toContain(room);
    const drained = await worker.drain();
    expect(drained.rooms).toBe((await t.server.rooms.list({})).length);
    expect((await worker.health()).status).toBe('DRAINING');
    expect(await failure(worker.createRoom({ room_name: 'After', max_players: 2, host_id: 'h' }))).toMatchObject({
      grpcStatus: status.UNAVAILABLE,
      category: 'unavailable',
      code: 'draining',
    });
    // The HTTP API (and matchmaking, tournaments) make rooms through the same RoomManager: refused as well.
    const token = (await t.call('POST', '/auth/guest', { body: {} })).body.access_token as string;
    const viaHttp = await t.call('POST', '/api/rooms/create', { token, body: { room_name: 'Over HTTP' } });
    expect([viaHttp.status, viaHttp.body.code]).toEqual([503, 'draining']);
    // Load balancers see it too, and stop sending players here.
    const health = await t.call('GET', '/healthz');
    expect([health.status, health.body.status]).toEqual([503, 'draining']);
    await expect.poll(async () => (await t.server.directory.nodes())[0]?.draining, { timeout: 5_000 }).toBe(true);
    expect((await worker.joinRoom(seat(room, 'late-player'))).room.room_id).toBe(room);
    expect((await worker.drain()).rooms).toBeGreaterThan(0);
    expect((await worker.health()).status).toBe('DRAINING');
  });

  it('stops serving when the server closes', async () => {
    await t.server.close();
    expect(await failure(worker.health())).toMatchObject({ grpcStatus: status.UNAVAILABLE, category: 'unavailable' });
  });
});

/** Tick cycles the server's tick loop has observed. */
async function tickCount(): Promise<number> {
  const { values } = await t.server.metrics.tickDuration.get();
  return values.find((value) => value.metricName?.endsWith('_count'))?.value ?? 0;
}
