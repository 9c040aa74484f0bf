import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { TestSocket } from './support/ws.js';

let t: TestServer;
let host: { token: string; id: string };
let guest: { token: string; id: string };

const newGuest = async (name: string) => {
  const res = await t.call('POST', '/auth/guest', { body: { display_name: name } });
  return { token: res.body.access_token as string, id: res.body.player.id as string };
};

beforeAll(async () => {
  t = await startTestServer({ MAX_CONNECTIONS_PER_ROOM: '16' });
  host = await newGuest('Host');
  guest = await newGuest('Guest');
});
afterAll(() => t?.stop());

describe('room HTTP API (seed paths)', () => {
  it('creates a room hosted by the caller, as in the seed curl example', async () => {
    const res = await t.call('POST', '/api/rooms/create', {
      token: host.token,
      body: { room_name: 'My Game Room', host_id: 'player123', game_mode: 'deathmatch', max_players: 8 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      room_id: expect.stringMatching(/^room_[0-9a-f]{12}$/),
      room_name: 'My Game Room',
      game_mode: 'deathmatch',
      host_id: host.id,
      max_players: 8,
      player_count: 0,
      status: 'waiting',
    });
  });

  it('lists rooms, filtered by mode and free seats', async () => {
    const created = (await t.call('POST', '/api/rooms/create', { token: host.token, body: { room_name: 'Listed', max_players: 1 } })).body;
    const all = await t.call('GET', '/api/rooms/list', { token: guest.token });
    expect(all.status).toBe(200);
    expect(all.body.rooms.map((r: { room_id: string }) => r.room_id)).toContain(created.room_id);
    await t.call('POST', `/api/rooms/${created.room_id}/join`, { token: guest.token, body: {} });
    const joinable = await t.call('GET', '/api/rooms/list?joinable=true&game_mode=deathmatch', { token: guest.token });
    expect(joinable.body.rooms.map((r: { room_id: string }) => r.room_id)).not.toContain(created.room_id);
  });

  it('reserves a seat on join: the reserved player gets in, others find the room full', async () => {
    const room = (await t.call('POST', '/api/rooms/create', { token: host.token, body: { room_name: 'Pair', max_players: 1 } })).body;
    const join = await t.call('POST', `/api/rooms/${room.room_id}/join`, {
      token: guest.token,
      body: { player_id: 'player456', player_name: 'Player Name' },
    });
    expect(join.status).toBe(200);
    expect(join.body.room_id).toBe(room.room_id);

    const full = await t.call('POST', `/api/rooms/${room.room_id}/join`, { token: host.token });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('room_full');

    const socket = await TestSocket.open(t.url);
    socket.send({ type: 'auth', token: guest.token });
    socket.send({ type: 'join_room', room_id: room.room_id });
    expect((await socket.next('room_joined')).players.map((p) => p.name)).toEqual(['Guest']);
    const details = await t.call('GET', `/api/rooms/${room.room_id}`, { token: host.token });
    expect(details.body).toMatchObject({ player_count: 1, players: [{ name: 'Guest', connected: true }] });

    const leave = await t.call('POST', `/api/rooms/${room.room_id}/leave`, { token: guest.token });
    expect(leave.body).toEqual({ room_id: room.room_id, left: true });
    await socket.next('room_left');
    const again = await t.call('POST', `/api/rooms/${room.room_id}/leave`, { token: guest.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_in_room');
    socket.close();
  });

  it('joins and leaves with Content-Type: application/json and an empty body', async () => {
    const room = (await t.call('POST', '/api/rooms/create', { token: host.token, body: { room_name: 'Empty bodies', max_players: 2 } })).body;
    const json = { 'content-type': 'application/json' };
    const join = await t.call('POST', `/api/rooms/${room.room_id}/join`, { token: guest.token, body: '', headers: json });
    expect(join.status).toBe(200);
    const leave = await t.call('POST', `/api/rooms/${room.room_id}/leave`, { token: guest.token, body: '', headers: json });
    expect(leave.body).toEqual({ room_id: room.room_id, left: true });
    const create = await t.call('POST', '/api/rooms/create', { token: host.token, body: '', headers: json });
    expect(create.status).toBe(400);
    expect(create.body.code).toBe('validation_error');
  });

  it('answers bad requests clearly', async () => {
    const noToken = await t.call('POST', '/api/rooms/create', { body: { room_name: 'x' } });
    expect(noToken.status).toBe(401);
    expect(noToken.body.code).toBe('missing_token');

    const tooBig = await t.call('POST', '/api/rooms/create', { token: host.token, body: { room_name: 'x', max_players: 17 } });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.message).toMatch(/max_players/);

    const mode = await t.call('POST', '/api/rooms/create', { token: host.token, body: { room_name: 'x', game_mode: 'chess' } });
    expect(mode.status).toBe(400);
    expect(mode.body.message).toMatch(/game_mode/);

    const unnamed = await t.call('POST', '/api/rooms/create', { token: host.token, body: { max_players: 4 } });
    expect(unnamed.status).toBe(400);

    const unknown = await t.call('POST', '/api/rooms/room123/join', { token: host.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'room_not_found', message: 'room room123 does not exist' });
    expect((await t.call('GET', '/api/rooms/room123', { token: host.token })).status).toBe(404);
  });

  it('documents the room routes in OpenAPI', async () => {
    const spec = (await t.call('GET', '/docs/json')).body;
    for (const path of ['/api/rooms/create', '/api/rooms/{id}/join', '/api/rooms/{id}/leave', '/api/rooms/list']) {
      expect(spec.paths).toHaveProperty([path]);
    }
  });
});
