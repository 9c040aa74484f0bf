/**
 * The operators' API (/api/admin): rooms, queues, players, kick, ban, end room, audit log and live figures,
 * behind the admin role on the server; kicks and bans reach the player's connection on whichever node holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolation, realBackends, startTestServer, type TestServer } from './support/server.js';
import { TestSocket } from './support/ws.js';

const ADMIN = 'ops@example.com';
const PASSWORD = 'correct horse battery';

let t: TestServer;
let admin: string;

interface Account {
  id: string;
  token: string;
  refresh: string;
  email: string;
}

let accounts = 0;
async function register(server: TestServer, name: string, email = `${name.toLowerCase()}-${++accounts}-${Date.now()}@example.com`): Promise<Account> {
  const res = await server.call('POST', '/auth/register', { body: { email, password: PASSWORD, display_name: name } });
  expect(res.status).toBe(201);
  return { id: res.body.player.id, token: res.body.access_token, refresh: res.body.refresh_token, email };
}

/** A player connected over WebSocket and seated in a fresh room. */
async function seated(server: TestServer, player: Account): Promise<{ socket: TestSocket; roomId: string }> {
  const room = await server.call('POST', '/api/rooms/create', { token: player.token, body: { room_name: 'Watched' } });
  expect(room.status).toBe(201);
  const socket = await TestSocket.open(server.url);
  socket.send({ type: 'auth', token: player.token });
  await socket.next('auth_ok');
  socket.send({ type: 'join_room', room_id: room.body.room_id });
  await socket.next('room_joined');
  return { socket, roomId: room.body.room_id };
}

const auditActions = async (server: TestServer, token: string) => {
  const res = await server.call('GET', '/api/admin/audit?limit=200', { token });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return res.body.entries as { action: string; target_id: string; details: Record<string, unknown> }[];
};

beforeAll(async () => {
  t = await startTestServer({ ADMIN_EMAILS: ADMIN });
  admin = (await register(t, 'Ops', ADMIN)).token;
});
afterAll(() => t?.stop());

describe('/api/admin', () => {
  it('is behind the admin role on the server: 401 without a token, 403 for players', async () => {
    const player = await register(t, 'Nosy');
    const routes: [string, string, object?][] = [
      ['GET', '/api/admin/rooms'],
      ['POST', '/api/admin/rooms/r-1/end', { reason: 'x' }],
      ['GET', '/api/admin/queues'],
      ['GET', '/api/admin/players?q=a'],
      ['POST', `/api/admin/players/${player.id}/kick`, { reason: 'x' }],
      ['POST', `/api/admin/players/${player.id}/ban`, { reason: 'x', until: null }],
      ['DELETE', `/api/admin/players/${player.id}/ban`],
      ['GET', '/api/admin/audit'],
      ['GET', '/api/admin/stats'],
    ];
    for (const [method, path, body] of routes) {
      expect((await t.call(method, path, body ? { body } : {})).status, `${method} ${path}`).toBe(401);
      const refused = await t.call(method, path, { token: player.token, ...(body ? { body } : {}) });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.code).toBe('forbidden');
    }
  });

  it('lists rooms with their players and node, and ends one: players are sent out and the end is audited', async () => {
    const player = await register(t, 'Roomer');
    const { socket, roomId } = await seated(t, player);
    const listed = await t.call('GET', '/api/admin/rooms', { token: admin });
    expect(listed.status).toBe(200);
    const room = listed.body.rooms.find((r: { room_id: string }) => r.room_id === roomId);
    expect(room).toMatchObject({ room_name: 'Watched', node: 'test-node', player_count: 1, players: [{ id: player.id, name: 'Roomer', connected: true }] });
    expect(typeof room.node_tick_utilization).toBe('number');

    const ended = await t.call('POST', `/api/admin/rooms/${roomId}/end`, { token: admin, body: { reason: 'maintenance' } });
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ room_id: roomId, ended: true, players: 1 });
    await socket.next('room_left', (m) => m.room_id === roomId);
    expect((await t.call('GET', `/api/rooms/${roomId}`, { token: admin })).status).toBe(404);
    expect((await t.call('POST', `/api/admin/rooms/${roomId}/end`, { token: admin, body: { reason: 'again' } })).status).toBe(404);
    expect((await auditActions(t, admin)).find((e) => e.action === 'room.end' && e.target_id === roomId)?.details).toMatchObject({ reason: 'maintenance', players: [player.id] });
    socket.close();
  });

  it('kicks a player: their seat is given up, they get the reason and the connection closes with 4003; they may come back', async () => {
    const player = await register(t, 'Kicked');
    const { socket, roomId } = await seated(t, player);
    const kicked = await t.call('POST', `/api/admin/players/${player.id}/kick`, { token: admin, body: { reason: 'spamming chat' } });
    expect(kicked.status).toBe(200);
    expect(kicked.body).toEqual({ player_id: player.id, disconnected: true });
    await socket.next('room_left');
    expect(await socket.next('error')).toMatchObject({ code: 'kicked', message: 'you were kicked: spamming chat' });
    expect((await socket.closed).code).toBe(4003);
    expect((await t.call('GET', `/api/rooms/${roomId}`, { token: admin })).body.players ?? []).toEqual([]);
    // A kick is not a ban: the same token still works.
    expect((await t.call('GET', '/auth/me', { token: player.token })).status).toBe(200);
    expect((await auditActions(t, admin))[0]).toMatchObject({ action: 'player.kick', target_id: player.id, details: { reason: 'spamming chat' } });
  });

  it('bans a player until a time: sessions end at once, login is refused with the reason, and an unban lets them back', async () => {
    const player = await register(t, 'Cheater');
    const { socket } = await seated(t, player);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const banned = await t.call('POST', `/api/admin/players/${player.id}/ban`, { token: admin, body: { reason: 'aimbot', until } });
    expect(banned.status).toBe(200);
    expect(banned.body).toMatchObject({ player_id: player.id, ban: { reason: 'aimbot', until, at: expect.any(String) } });
    expect(await socket.next('error')).toMatchObject({ code: 'banned', message: `you are banned until ${until}: aimbot` });
    expect((await socket.closed).code).toBe(4003);

    expect((await t.call('GET', '/auth/me', { token: player.token })).body.code).toBe('session_revoked');
    expect((await t.call('POST', '/auth/refresh', { body: { refresh_token: player.refresh } })).status).toBe(401);
    const login = await t.call('POST', '/auth/login', { body: { email: player.email, password: PASSWORD } });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ code: 'banned', message: `you are banned until ${until}: aimbot` });
    const again = await TestSocket.open(t.url);
    again.send({ type: 'auth', token: player.token });
    expect((await again.next('error')).code).toBe('auth_failed');

    const found = await t.call('GET', `/api/admin/players?q=${encodeURIComponent(player.email)}`, { token: admin });
    expect(found.body.players).toMatchObject([{ player_id: player.id, display_name: 'Cheater', role: 'player', ban: { reason: 'aimbot', until } }]);

    expect((await t.call('DELETE', `/api/admin/players/${player.id}/ban`, { token: admin })).body).toEqual({ player_id: player.id, ban: null });
    expect((await t.call('POST', '/auth/login', { body: { email: player.email, password: PASSWORD } })).status).toBe(200);
    expect((await t.call('DELETE', `/api/admin/players/${player.id}/ban`, { token: admin })).body.code).toBe('not_banned');
    const actions = (await auditActions(t, admin)).filter((e) => e.target_id === player.id).map((e) => e.action);
    expect(actions).toEqual(['player.unban', 'player.ban']);
  });

  it('refuses bad input with a clear error', async () => {
    const player = await register(t, 'Target');
    const ban = (body: unknown, id = player.id) => t.call('POST', `/api/admin/players/${id}/ban`, { token: admin, body });
    expect((await ban({ reason: 'x', until: new Date(Date.now() - 1000).toISOString() })).body.code).toBe('invalid_until');
    expect((await ban({ reason: '', until: null })).status).toBe(400);
    expect((await ban({ until: null })).status).toBe(400);
    expect((await ban({ reason: 'x', until: 'tomorrow' })).status).toBe(400);
    expect((await ban({ reason: 'x', until: null }, 'not-a-uuid')).status).toBe(400);
    expect((await ban({ reason: 'x', until: null }, '00000000-0000-4000-8000-000000000000')).body.code).toBe('player_not_found');
    const self = (await t.call('GET', `/api/admin/players?q=${ADMIN}`, { token: admin })).body.players[0].player_id as string;
    expect((await ban({ reason: 'x', until: null }, self)).body.code).toBe('cannot_ban_self');
    expect((await t.call('GET', '/api/admin/players?limit=1000', { token: admin })).status).toBe(400);
    expect((await t.call('GET', '/api/admin/audit?before=0', { token: admin })).status).toBe(400);
    expect((await t.call('POST', '/api/admin/rooms/nope/end', { token: admin, body: {} })).status).toBe(400);
  });

  it('finds players by part of a name or by id; an ADMIN_EMAILS account shows as admin', async () => {
    const player = await register(t, 'Findable_Zed');
    const byName = await t.call('GET', '/api/admin/players?q=dable_z', { token: admin });
    expect(byName.body.players.map((p: { player_id: string }) => p.player_id)).toEqual([player.id]);
    const byId = await t.call('GET', `/api/admin/players?q=${player.id}`, { token: admin });
    expect(byId.body.players).toMatchObject([{ player_id: player.id, online: false, is_guest: false, ban: null, email: player.email }]);
    // LIKE wildcards in the query are literal.
    expect((await t.call('GET', '/api/admin/players?q=%25%25%25nobody', { token: admin })).body.players).toEqual([]);
    expect((await t.call('GET', `/api/admin/players?q=${ADMIN}`, { token: admin })).body.players[0].role).toBe('admin');
  });

  it('shows the matchmaking queues and this node’s live figures', async () => {
    const waiting = await register(t, 'Waiting');
    expect((await t.call('POST', '/api/matchmaking/queue', { token: waiting.token, body: { game_mode: 'deathmatch', region: 'mars' } })).status).toBe(202);
    const queues = await t.call('GET', '/api/admin/queues', { token: admin });
    expect(queues.body.queues).toContainEqual({ game_mode: 'deathmatch', region: 'mars', size: 1, oldest_wait_ms: expect.any(Number) });
    const stats = await t.call('GET', '/api/admin/stats', { token: admin });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ node: 'test-node', connections: expect.any(Number), rooms: expect.any(Number), queued: expect.any(Number) });
    expect(stats.body.queued).toBeGreaterThanOrEqual(1);
    expect(stats.body.tick_p99_ms).toBeGreaterThanOrEqual(0);
    await t.call('DELETE', '/api/matchmaking/queue', { token: waiting.token });
  });

  it('pages the audit log newest first', async () => {
    const player = await register(t, 'Paged');
    for (const reason of ['one', 'two', 'three']) await t.call('POST', `/api/admin/players/${player.id}/kick`, { token: admin, body: { reason } });
    const first = await t.call('GET', '/api/admin/audit?limit=2', { token: admin });
    expect(first.body.entries.map((e: { details: { reason: string } }) => e.details.reason)).toEqual(['three', 'two']);
    expect(first.body.entries[0]).toMatchObject({ actor_name: 'Ops', target_type: 'player' });
    const next = await t.call('GET', `/api/admin/audit?limit=2&before=${first.body.next_before}`, { token: admin });
    expect(next.body.entries[0].details.reason).toBe('one');
  });
});

describe('the audit log of other operator actions', () => {
  it('records role grants and tournament starts with who made them', async () => {
    const organizer = await register(t, 'Organizer');
    expect((await t.call('PUT', `/api/players/${organizer.id}/role`, { token: admin, body: { role: 'organizer' } })).status).toBe(200);
    expect((await auditActions(t, admin))[0]).toMatchObject({ action: 'player.role', target_id: organizer.id, actor_name: 'Ops', details: { role: 'organizer' } });
    const created = await t.call('POST', '/api/tournaments', { token: organizer.token, body: { name: 'Audited Cup', stages: [{ format: 'single_elimination' }] } });
    expect(created.status).toBe(201);
    const entrants = await Promise.all(['E1', 'E2'].map((name) => register(t, name)));
    for (const entrant of entrants) await t.call('POST', `/api/tournaments/${created.body.id}/register`, { token: entrant.token });
    expect((await t.call('POST', `/api/tournaments/${created.body.id}/start`, { token: organizer.token })).status).toBe(200);
    expect((await auditActions(t, admin))[0]).toMatchObject({ action: 'tournament.start', target_id: created.body.id, actor_name: 'Organizer' });
  });
});

describe.runIf(realBackends)('two nodes on one Redis', () => {
  it('a kick or a ban made on one node closes the player’s connection on the other', async () => {
    const shared = isolation();
    const nodeA = await startTestServer({ NODE_NAME: 'node-a', ADMIN_EMAILS: ADMIN }, shared);
    const nodeB = await startTestServer({ NODE_NAME: 'node-b' }, shared);
    try {
      const ops = await register(nodeA, 'Ops', ADMIN);
      const player = await register(nodeB, 'Elsewhere');
      const first = await seated(nodeB, player);
      await nodeA.call('POST', `/api/admin/players/${player.id}/kick`, { token: ops.token, body: { reason: 'afk' } });
      expect((await first.socket.next('error')).code).toBe('kicked');
      expect((await first.socket.closed).code).toBe(4003);

      const second = await seated(nodeB, player);
      await nodeA.call('POST', `/api/admin/players/${player.id}/ban`, { token: ops.token, body: { reason: 'toxic', until: null } });
      expect(await second.socket.next('error')).toMatchObject({ code: 'banned', message: 'you are banned permanently: toxic' });
      expect((await nodeB.call('GET', '/auth/me', { token: player.token })).status).toBe(401);
    } finally {
      await nodeB.stop();
      await nodeA.stop();
    }
  });
});
