import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError, handleNotFound } from '../src/gateway/errors.js';
import { WEB_DIST, webRoutes } from '../src/gateway/static.js';
import { startTestServer, type TestServer } from './support/server.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const YEAR_IMMUTABLE = /max-age=31536000.*immutable|immutable.*max-age=31536000/;

describe('the gateway serving the built pages', () => {
  let t: TestServer;
  beforeAll(async () => {
    // `npm ci` builds the pages (prepare); a checkout that skipped it is built here once.
    if (!existsSync(join(WEB_DIST, 'index.html'))) execFileSync('npm', ['run', 'build:web'], { cwd: repoRoot, stdio: 'ignore' });
    t = await startTestServer();
  }, 120_000);
  afterAll(() => t?.stop());

  it('serves the game at / and its hashed script with a year-long immutable cache', async () => {
    const page = await t.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = String(page.body);
    for (const id of ['login', 'lobby', 'game', 'arena', 'room-list', 'queue-state', 'scoreboard', 'latency-toggle']) {
      expect(html).toContain(`id="${id}"`);
    }
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await t.call('GET', script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(YEAR_IMMUTABLE);
    expect(String(asset.body).length).toBeGreaterThan(1000);
  });

  it('serves the operator console at /console', async () => {
    const page = await t.call('GET', '/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(String(page.body)).toMatch(/<html/i);
  });

  it('keeps the API in JSON: an unknown asset is a JSON 404, API routes answer as before', async () => {
    const missing = await t.call('GET', '/assets/no-such-file.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'not_found' });
    const health = await t.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ node: 'test-node' });
    const unknown = await t.call('GET', '/api/nothing-here');
    expect(unknown.body).toMatchObject({ statusCode: 404, code: 'not_found' });
  });

  it('lists the game modes of the registry at /api/game-modes', async () => {
    const res = await t.call('GET', '/api/game-modes');
    expect(res.status).toBe(200);
    expect(res.body.modes).toEqual([
      { id: 'deathmatch', default: true, min_players: 1, max_players: expect.any(Number), teams: 0, team_based: false, rating: 'elo' },
      { id: 'team_deathmatch', default: false, min_players: 2, max_players: expect.any(Number), teams: 2, team_based: true, rating: 'openskill' },
    ]);
    for (const mode of res.body.modes) expect(mode.max_players).toBeGreaterThanOrEqual(mode.min_players);
  });

  it('describes /api/game-modes in the OpenAPI document and leaves the pages out of it', async () => {
    const res = await t.call('GET', '/docs/json');
    expect(Object.keys(res.body.paths)).toContain('/api/game-modes');
    expect(Object.keys(res.body.paths)).not.toContain('/console');
    expect(Object.keys(res.body.paths)).not.toContain('/');
  });
});

describe('the pages before a build', () => {
  let app: FastifyInstance;
  const root = join(mkdtempSync(join(tmpdir(), 'gamev1-web-')), 'dist');

  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    app.setNotFoundHandler(handleNotFound);
    await app.register(webRoutes(root));
    await app.ready();
  });
  afterAll(() => app?.close());

  it('answer 503 web_not_built, saying how to build them', async () => {
    for (const url of ['/', '/console']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ statusCode: 503, code: 'web_not_built', message: expect.stringContaining('npm run build:web') });
    }
  });

  it('are served once a build appears, without a restart', async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>game</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>game</title>');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(YEAR_IMMUTABLE);
    expect((await app.inject({ method: 'GET', url: '/console' })).statusCode).toBe(503);
  });
});
