/** The SDK's session calls against a real server: the `tokens` event, resume(refreshToken) and logout(). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPair } from '../client/src/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { sdkClient, waitFor } from './support/sdk.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.stop());

describe('the SDK session', () => {
  it('announces every new pair, resumes from a stored refresh token and spends it', async () => {
    const { client: first } = sdkClient(t.url);
    const pairs: TokenPair[] = [];
    first.on('tokens', (pair) => pairs.push(pair));
    const player = await first.register(`resume-${Date.now()}@example.com`, 'correct horse battery', 'Resumer');
    await first.refresh();
    expect(pairs).toHaveLength(2);
    expect(pairs[1]!.access_token).toBe(first.accessToken);
    expect(pairs[1]!.expires_in).toBeGreaterThan(0);

    // A new client (a reloaded page) picks the session up from the last refresh token.
    const { client: reloaded } = sdkClient(t.url);
    const resumedPairs: TokenPair[] = [];
    reloaded.on('tokens', (pair) => resumedPairs.push(pair));
    expect((await reloaded.resume(pairs[1]!.refresh_token)).id).toBe(player.id);
    expect(reloaded.player?.display_name).toBe('Resumer');
    expect(resumedPairs).toHaveLength(1);
    expect(resumedPairs[0]!.refresh_token).not.toBe(pairs[1]!.refresh_token);
    const auth = await reloaded.connect();
    expect(auth.player_id).toBe(player.id);
    reloaded.close();

    // A spent token is refused (and, as a reuse, ends that session).
    const { client: late } = sdkClient(t.url);
    await expect(late.resume(pairs[0]!.refresh_token)).rejects.toMatchObject({ status: 401 });
    expect(late.player).toBeUndefined();
    expect(late.accessToken).toBeUndefined();
  });

  it('logs out: the connection closes, the refresh token is revoked and the tokens forgotten', async () => {
    const { client } = sdkClient(t.url);
    let refreshToken = '';
    client.on('tokens', (pair) => (refreshToken = pair.refresh_token));
    await client.guest('Leaver');
    await client.connect();
    const disconnected = waitFor(client, 'disconnected');
    await client.logout();
    expect((await disconnected).willReconnect).toBe(false);
    expect(client.accessToken).toBeUndefined();
    expect(client.player).toBeUndefined();
    const revoked = await t.call('POST', '/auth/refresh', { headers: { authorization: `Bearer ${refreshToken}` } });
    expect(revoked.status).toBe(401);
    // Logging out again is not an error, nor is logging out of a session the server has already ended.
    await expect(client.logout()).resolves.toBeUndefined();
    const { client: other } = sdkClient(t.url);
    let otherRefresh = '';
    other.on('tokens', (pair) => (otherRefresh = pair.refresh_token));
    await other.guest('Ended');
    expect((await t.call('POST', '/auth/logout', { headers: { authorization: `Bearer ${otherRefresh}` } })).status).toBe(204);
    await expect(other.logout()).resolves.toBeUndefined();
    expect(other.accessToken).toBeUndefined();
  });
});
