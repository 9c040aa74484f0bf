import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadUws } from '../src/transport/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { TestSocket } from './support/ws.js';

/** A raw HTTP exchange, to see what the transport itself answers (status line, headers, exact body). */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('loads the native uWebSockets binary on this machine (the JavaScript fallback is never used)', () => {
  const loaded = loadUws();
  expect('uws' in loaded, 'error' in loaded ? loaded.error : '').toBe(true);
  if ('uws' in loaded) expect(typeof loaded.uws.App).toBe('function');
});

describe.each(['ws', 'uws'])('the %s transport', (transport) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ WS_TRANSPORT: transport, TRUST_PROXY: 'true' });
  });
  afterAll(() => t.stop());

  it('serves the whole HTTP API on the gateway port: bodies, queries, OpenAPI, metrics', async () => {
    const guest = await t.call('POST', '/auth/guest', { body: { display_name: 'Http' } });
    expect(guest.status).toBe(201);
    const token: string = guest.body.access_token;
    const created = await t.call('POST', '/api/rooms/create', { token, body: { room_name: 'Over uws', max_players: 4 } });
    expect(created.status).toBe(201);
    const list = await t.call('GET', '/api/rooms/list', { token });
    expect(list.body.rooms.map((room: { room_id: string }) => room.room_id)).toContain(created.body.room_id);
    expect((await t.call('GET', '/api/leaderboard?game_mode=team_deathmatch', { token })).status).toBe(200);
    expect((await t.call('GET', '/api/leaderboard?limit=many', { token })).status).toBe(400);
    expect((await t.call('GET', '/docs/json')).body.openapi).toMatch(/^3\./);
    const metrics = await raw(t.url, 'GET', '/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body.toString()).toContain('gamev1_connections_active');
  });

  it('answers HEAD without a body, unknown paths 404, and a body over the limit 413 in the API\'s error shape', async () => {
    const head = await raw(t.url, 'HEAD', '/healthz');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await raw(t.url, 'GET', '/nowhere')).status).toBe(404);
    const big = await raw(t.url, 'POST', '/auth/login', { 'content-type': 'application/json' }, Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body.toString())).toMatchObject({ statusCode: 413, code: 'body_too_large' });
  });

  it('turns away a WebSocket upgrade on any path but /ws with 404', async () => {
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/elsewhere`);
    const status = await new Promise<number>((resolve) => socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });

  it('carries /ws in both encodings, with the subprotocol agreed', async () => {
    const bare = await TestSocket.open(t.url);
    expect(bare.ws.protocol).toBe('');
    bare.close();
    const json = await TestSocket.open(t.url, 'gamev1.json');
    expect(json.ws.protocol).toBe('gamev1.json');
    json.send({ type: 'ping', t: 3 });
    expect(await json.next('pong')).toEqual({ type: 'pong', t: 3 });
    json.close();
    const binary = await TestSocket.open(t.url, 'gamev1.msgpack');
    expect(binary.binary).toBe(true);
    binary.send({ type: 'ping', t: 4 });
    expect(await binary.next('pong')).toEqual({ type: 'pong', t: 4 });
    binary.close();
  });
});
