import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.stop());

let counter = 0;
const newEmail = () => `player${++counter}-${Date.now()}@example.com`;

async function register(email = newEmail(), password = 'correct horse') {
  const res = await t.call('POST', '/auth/register', { body: { email, password, display_name: 'Ann' } });
  expect(res.status).toBe(201);
  return { email, password, ...res.body };
}

describe('register and login', () => {
  it('registers, logs in and reads the profile with the access token', async () => {
    const account = await register();
    expect(account.player).toMatchObject({ email: account.email, display_name: 'Ann', is_guest: false, skill_rating: 1200 });
    expect(account.token_type).toBe('Bearer');
    expect(account.expires_in).toBe(900);

    const login = await t.call('POST', '/auth/login', { body: { email: account.email, password: account.password } });
    expect(login.status).toBe(200);
    expect(login.body.player.id).toBe(account.player.id);

    const me = await t.call('GET', '/auth/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: account.player.id, email: account.email });
  });

  it('treats email case-insensitively and refuses a second account for it', async () => {
    const account = await register();
    const again = await t.call('POST', '/auth/register', {
      body: { email: account.email.toUpperCase(), password: 'another password' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, code: 'email_taken', message: expect.any(String) });
    const login = await t.call('POST', '/auth/login', { body: { email: account.email.toUpperCase(), password: account.password } });
    expect(login.status).toBe(200);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const account = await register();
    const wrong = await t.call('POST', '/auth/login', { body: { email: account.email, password: 'not the password' } });
    const unknown = await t.call('POST', '/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, code: 'invalid_credentials', message: 'email or password is incorrect' });
    }
  });

  it('rejects malformed bodies with 400 and a message naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      [{ email: 'a@example.com' }, /password/],
      [{ email: 'not-an-email', password: 'long enough' }, /email/],
      [{ email: 'a@example.com', password: 'short' }, /password/],
      [{ email: 'a@example.com', password: 'long enough', admin: true }, /additional properties/],
      [{ email: 'a@example.com', password: 'long enough', display_name: '' }, /display_name/],
      [{ email: 42, password: 'long enough' }, /email/],
    ];
    for (const [body, message] of cases) {
      const res = await t.call('POST', '/auth/register', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_error');
      expect(res.body.message).toMatch(message);
    }
    const badJson = await t.call('POST', '/auth/login', { body: '{"email": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('invalid_json');

    const wrongType = await t.call('POST', '/auth/login', { body: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.code).toBe('unsupported_media_type');
  });

  it('refuses a body over the size limit', async () => {
    const res = await t.call('POST', '/auth/login', { body: { email: 'a@example.com', password: 'x'.repeat(100_000) } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('body_too_large');
  });
});

describe('tokens', () => {
  it('requires a bearer token and says what is wrong with a bad one', async () => {
    const missing = await t.call('GET', '/auth/me');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('missing_token');

    const malformed = await t.call('GET', '/auth/me', { headers: { authorization: 'Token abc' } });
    expect(malformed.body.code).toBe('invalid_token');

    const garbage = await t.call('GET', '/auth/me', { token: 'not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.code).toBe('invalid_token');

    const refreshMissing = await t.call('POST', '/auth/refresh');
    expect(refreshMissing.status).toBe(401);
    expect(refreshMissing.body.code).toBe('missing_token');
  });

  it('never accepts an access token as a refresh token or the other way round', async () => {
    const account = await register();
    const asRefresh = await t.call('POST', '/auth/refresh', { token: account.access_token });
    expect(asRefresh.status).toBe(401);
    expect(asRefresh.body.code).toBe('invalid_token');
    const asAccess = await t.call('GET', '/auth/me', { token: account.refresh_token });
    expect(asAccess.status).toBe(401);
    expect(asAccess.body.code).toBe('invalid_token');
  });

  it('rotates refresh tokens and revokes the session when a rotated token is reused', async () => {
    const account = await register();
    const first = await t.call('POST', '/auth/refresh', { token: account.refresh_token });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(account.refresh_token);
    expect(first.body.player.id).toBe(account.player.id);

    const second = await t.call('POST', '/auth/refresh', { token: first.body.refresh_token });
    expect(second.status).toBe(200);

    // The first token was already rotated: someone replayed it.
    const replay = await t.call('POST', '/auth/refresh', { token: account.refresh_token });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');

    // The whole session is gone: the newest refresh token and the access tokens stop working too.
    const newest = await t.call('POST', '/auth/refresh', { token: second.body.refresh_token });
    expect(newest.status).toBe(401);
    expect(newest.body.code).toBe('session_revoked');
    const me = await t.call('GET', '/auth/me', { token: second.body.access_token });
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('session_revoked');

    // Other sessions of the same player are untouched.
    const login = await t.call('POST', '/auth/login', { body: { email: account.email, password: account.password } });
    expect((await t.call('GET', '/auth/me', { token: login.body.access_token })).status).toBe(200);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const account = await register();
    const results = await Promise.all([
      t.call('POST', '/auth/refresh', { token: account.refresh_token }),
      t.call('POST', '/auth/refresh', { token: account.refresh_token }),
    ]);
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 401]);
  });

  it('logs out: the session and its access tokens stop working', async () => {
    const account = await register();
    const out = await t.call('POST', '/auth/logout', { token: account.refresh_token });
    expect(out.status).toBe(204);
    const refresh = await t.call('POST', '/auth/refresh', { token: account.refresh_token });
    expect(refresh.body.code).toBe('session_revoked');
    const me = await t.call('GET', '/auth/me', { token: account.access_token });
    expect(me.body.code).toBe('session_revoked');
  });
});

describe('guest play', () => {
  it('creates a guest with a generated or chosen name, and its tokens refresh', async () => {
    const anonymous = await t.call('POST', '/auth/guest');
    expect(anonymous.status).toBe(201);
    expect(anonymous.body.player).toMatchObject({ is_guest: true, email: null });
    expect(anonymous.body.player.display_name).toMatch(/^Guest-[0-9a-f]{6}$/);

    const named = await t.call('POST', '/auth/guest', { body: { display_name: 'Speedy' } });
    expect(named.body.player.display_name).toBe('Speedy');
    const refreshed = await t.call('POST', '/auth/refresh', { token: named.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.player.is_guest).toBe(true);
  });
});

describe('HTTP surface', () => {
  it('takes Content-Type: application/json with an empty body as no body', async () => {
    const json = { 'content-type': 'application/json' };
    const guest = await t.call('POST', '/auth/guest', { body: '', headers: json });
    expect(guest.status).toBe(201);
    const refreshed = await t.call('POST', '/auth/refresh', { token: guest.body.refresh_token, body: '', headers: json });
    expect(refreshed.status).toBe(200);
    const out = await t.call('POST', '/auth/logout', {
      token: refreshed.body.refresh_token,
      body: '',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(out.status).toBe(204);

    // A route that needs a body still says so.
    for (const path of ['/auth/register', '/auth/login']) {
      const res = await t.call('POST', path, { body: '', headers: json });
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/body/) });
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.call('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'not_found', message: 'no route GET /nope' });
  });

  it('serves OpenAPI docs describing the auth routes', async () => {
    const spec = await t.call('GET', '/docs/json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    for (const path of ['/auth/register', '/auth/login', '/auth/refresh', '/auth/guest', '/healthz', '/metrics']) {
      expect(spec.body.paths).toHaveProperty([path]);
    }
    const ui = await fetch(`${t.url}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<html');
  });
});
