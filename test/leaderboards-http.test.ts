import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClient } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let admin: string;

async function registered(email: string, name: string): Promise<{ token: string; id: string }> {
  const res = await server.call('POST', '/auth/register', { body: { email, password: 'correct horse battery', display_name: name } });
  expect(res.status).toBe(201);
  return { token: res.body.access_token, id: res.body.player.id };
}

async function guest(name: string): Promise<{ token: string; id: string }> {
  const res = await server.call('POST', '/auth/guest', { body: { display_name: name } });
  return { token: res.body.access_token, id: res.body.player.id };
}

beforeAll(async () => {
  server = await startTestServer({ ADMIN_EMAILS: 'root@example.com', AUTH_RATE_LIMIT_PER_IP: '1000' });
  admin = (await registered('root@example.com', 'Root')).token;
});
afterAll(() => server?.stop());

describe('/api/leaderboards', () => {
  it('lets an admin create a board and write scores, and anyone read top, around and their own', async () => {
    const created = await server.call('POST', '/api/leaderboards', { token: admin, body: { id: 'http.best', sort_order: 'desc', operator: 'best' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'http.best', sort_order: 'desc', operator: 'best' });
    const players = await Promise.all(['Ann', 'Bob', 'Cat', 'Dan'].map(guest));
    for (const [i, player] of players.entries()) {
      const res = await server.call('POST', '/api/leaderboards/http.best/scores', { token: admin, body: { player_id: player.id, score: 10 * (i + 1) - 25, metadata: { map: 'dust' } } });
      expect(res.status).toBe(200);
    }
    const top = await server.call('GET', '/api/leaderboards/http.best?limit=2');
    expect(top.status).toBe(200);
    expect(top.body.period).toEqual({ id: 0, start: null, end: null, closes_at: null });
    expect(top.body.records.map((r: { display_name: string; score: number; rank: number }) => [r.rank, r.display_name, r.score])).toEqual([[1, 'Dan', 15], [2, 'Cat', 5]]);
    const around = await server.call('GET', `/api/leaderboards/http.best?around=${players[3]!.id}&radius=1`);
    expect(around.body.records.map((r: { rank: number }) => r.rank)).toEqual([1, 2]);
    const me = await server.call('GET', '/api/leaderboards/http.best/me?radius=1', { token: players[0]!.token });
    expect(me.body.records.map((r: { display_name: string; score: number }) => [r.display_name, r.score])).toEqual([['Bob', -5], ['Ann', -15]]);
    expect(me.body.records[1].metadata).toEqual({ map: 'dust' });
    const list = await server.call('GET', '/api/leaderboards');
    expect(list.body.leaderboards).toContainEqual({ id: 'http.best', sort_order: 'desc', operator: 'best' });
  });

  it('keeps creating boards and writing scores behind the admin role', async () => {
    const player = await guest('Cheater');
    const create = await server.call('POST', '/api/leaderboards', { token: player.token, body: { id: 'http.mine', sort_order: 'desc', operator: 'set' } });
    expect(create.status).toBe(403);
    await server.call('POST', '/api/leaderboards', { token: admin, body: { id: 'http.guarded', sort_order: 'desc', operator: 'set' } });
    const write = await server.call('POST', '/api/leaderboards/http.guarded/scores', { token: player.token, body: { player_id: player.id, score: 1e9 } });
    expect(write.status).toBe(403);
    expect((await server.call('POST', '/api/leaderboards/http.guarded/scores', { body: { player_id: player.id, score: 1 } })).status).toBe(401);
    expect((await server.call('GET', '/api/leaderboards/http.guarded')).body.records).toEqual([]);
  });

  it('answers bad input with clear errors', async () => {
    const bad = async (method: string, path: string, body?: unknown) => {
      const res = await server.call(method, path, { token: admin, ...(body !== undefined ? { body } : {}) });
      return [res.status, res.body.code];
    };
    expect(await bad('POST', '/api/leaderboards', { id: 'http.cron', sort_order: 'desc', operator: 'set', reset_schedule: 'tuesdays' })).toEqual([400, 'invalid_definition']);
    expect(await bad('POST', '/api/leaderboards', { id: 'http.dup', sort_order: 'desc', operator: 'max' })).toEqual([400, 'validation_error']);
    await bad('POST', '/api/leaderboards', { id: 'http.dup', sort_order: 'desc', operator: 'set' });
    expect(await bad('POST', '/api/leaderboards', { id: 'http.dup', sort_order: 'asc', operator: 'set' })).toEqual([409, 'board_exists']);
    expect(await bad('GET', '/api/leaderboards/http.none')).toEqual([404, 'board_not_found']);
    const player = await guest('Edge');
    expect(await bad('POST', '/api/leaderboards/http.dup/scores', { player_id: player.id, score: 1.5 })).toEqual([400, 'validation_error']);
    expect(await bad('POST', '/api/leaderboards/http.dup/scores', { player_id: player.id, score: 1, metadata: { blob: 'x'.repeat(3000) } })).toEqual([400, 'invalid_score']);
    expect(await bad('GET', '/api/leaderboards/http.dup?limit=abc')).toEqual([400, 'validation_error']);
  });

  it('is reached through the SDK', async () => {
    const { client: root } = sdkClient(server.url);
    await root.login('root@example.com', 'correct horse battery');
    await root.createLeaderboard({ id: 'sdk.times', sort_order: 'asc', operator: 'best' });
    const { client: runner } = sdkClient(server.url);
    const me = await runner.guest('Runner');
    expect((await root.submitScore('sdk.times', { player_id: me.id, score: 61_250, subscore: 2 })).rank).toBe(1);
    expect((await root.submitScore('sdk.times', { player_id: me.id, score: 62_000 })).score).toBe(61_250);
    expect((await runner.getLeaderboard('sdk.times', { limit: 5 })).records.map((r) => r.display_name)).toEqual(['Runner']);
    expect((await runner.myLeaderboardRecord('sdk.times')).records[0]).toMatchObject({ rank: 1, attempts: 2 });
    expect((await runner.listLeaderboards()).map((board) => board.id)).toContain('sdk.times');
    await expect(runner.submitScore('sdk.times', { player_id: me.id, score: 1 })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('serves a scheduled board period by period', async () => {
    await server.call('POST', '/api/leaderboards', { token: admin, body: { id: 'http.weekly', sort_order: 'desc', operator: 'incr', reset_schedule: '0 0 * * 1' } });
    const player = await guest('Weekly');
    await server.call('POST', '/api/leaderboards/http.weekly/scores', { token: admin, body: { player_id: player.id, score: 3 } });
    const page = await server.call('GET', '/api/leaderboards/http.weekly');
    expect(new Date(page.body.period.start).getUTCDay()).toBe(1);
    expect(Date.parse(page.body.period.end) - Date.parse(page.body.period.start)).toBe(7 * 86_400_000);
    expect(page.body.records).toHaveLength(1);
    const older = await server.call('GET', `/api/leaderboards/http.weekly?period=${page.body.period.id - 7 * 86_400}`);
    expect(older.body.records).toEqual([]);
    const periods = await server.call('GET', '/api/leaderboards/http.weekly/periods');
    expect(periods.body).toEqual({ current: page.body.period, closed: [] });
  });

  it("answers a set of players' records, through HTTP and the SDK", async () => {
    await server.call('POST', '/api/leaderboards', { token: admin, body: { id: 'http.friends', sort_order: 'desc', operator: 'set' } });
    const players = await Promise.all(['Amy', 'Ben', 'Cal'].map(guest));
    for (const [i, player] of players.entries()) await server.call('POST', '/api/leaderboards/http.friends/scores', { token: admin, body: { player_id: player.id, score: i } });
    const friends = await server.call('GET', `/api/leaderboards/http.friends?players=${players[0]!.id},${players[2]!.id}`);
    expect(friends.body.records.map((r: { rank: number; display_name: string }) => [r.rank, r.display_name])).toEqual([[1, 'Cal'], [3, 'Amy']]);
    const { client } = sdkClient(server.url);
    expect((await client.getLeaderboard('http.friends', { players: [players[1]!.id] })).records.map((r) => r.rank)).toEqual([2]);
    expect((await client.leaderboardPeriods('http.friends')).current.id).toBe(0);
    expect((await server.call('GET', '/api/leaderboards/http.friends?players=not-an-id')).body.code).toBe('validation_error');
    expect((await server.call('GET', '/api/leaderboards/http.none/periods')).status).toBe(404);
  });

  it('keeps the built-in rating boards to the server', async () => {
    const empty = await server.call('GET', '/api/leaderboards/rating.team_deathmatch');
    expect([empty.status, empty.body.leaderboard, empty.body.records]).toEqual([200, { id: 'rating.team_deathmatch', sort_order: 'desc', operator: 'set' }, []]);
    const player = await guest('Forger');
    const write = await server.call('POST', '/api/leaderboards/rating.deathmatch/scores', { token: admin, body: { player_id: player.id, score: 3000 } });
    expect([write.status, write.body.code]).toEqual([403, 'board_read_only']);
    const create = await server.call('POST', '/api/leaderboards', { token: admin, body: { id: 'rating.fake', sort_order: 'desc', operator: 'set' } });
    expect([create.status, create.body.code]).toEqual([400, 'invalid_definition']);
  });
});
