/**
 * Roles from one entry point: ROLE or `--role` picks all (the default), gateway or worker, with clear refusals
 * of combinations that cannot work. A gateway hosts no rooms: with a worker up it places every room there,
 * matchmade ones included, and its players play in them; with none it answers 503 no_worker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { shootUntilMatchEnds } from './support/play.js';
import { freePort } from './support/process.js';
import { matchTwo, waitFor } from './support/sdk.js';
import { organizer } from './support/tournaments.js';
import { isolation, realBackends, startTestServer } from './support/server.js';

const load = (env: Record<string, string>, argv: string[] = []) =>
  loadConfig({ env, argv, cwd: mkdtempSync(join(tmpdir(), 'gamev1-roles-')), warn: () => undefined });
const shared = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://gamev1@127.0.0.1:5432/gamev1' };

describe('ROLE', () => {
  it('is all by default, set by ROLE or by --role (which wins)', () => {
    expect(load({}).server.role).toBe('all');
    expect(load({ ...shared, ROLE: 'gateway' }).server.role).toBe('gateway');
    expect(load({ ...shared, ROLE: 'gateway', WORKER_GRPC_ADDR: '127.0.0.1:0' }, ['--role', 'worker']).server.role).toBe('worker');
    expect(load({ ...shared }, ['--role=gateway']).server.role).toBe('gateway');
  });

  it('refuses what a role cannot do, naming the fix', () => {
    const refusal = (env: Record<string, string>, argv: string[] = []) => {
      try {
        load(env, argv);
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
      }
      return 'accepted';
    };
    expect(refusal({ ROLE: 'boss' })).toMatch(/ROLE \(environment\) must be one of all, gateway, worker/);
    expect(refusal({}, ['--role'])).toMatch(/--role needs all, gateway or worker/);
    expect(refusal({}, ['--rolls', 'x'])).toMatch(/unknown argument --rolls/);
    expect(refusal({ ROLE: 'gateway' })).toMatch(/ROLE=gateway needs REDIS_URL and DATABASE_URL/);
    expect(refusal({ ROLE: 'worker', WORKER_GRPC_ADDR: '127.0.0.1:0', REDIS_URL: shared.REDIS_URL })).toMatch(/ROLE=worker needs REDIS_URL and DATABASE_URL/);
    expect(refusal({ ...shared, ROLE: 'gateway', WORKER_GRPC_ADDR: '127.0.0.1:0' })).toMatch(/ROLE=gateway hosts no rooms/);
    expect(refusal({ ...shared, ROLE: 'worker' })).toMatch(/ROLE=worker needs WORKER_GRPC_ADDR/);
    expect(refusal({ ...shared, ROLE: 'worker', WORKER_GRPC_ADDR: '127.0.0.1:0' })).toBe('accepted');
  });
});

describe.runIf(realBackends)('a gateway and a worker', () => {
  it('places rooms, matchmade and tournament ones included, on the worker; without one the gateway answers 503 no_worker', async () => {
    const scope = isolation();
    const settings = { SCORE_LIMIT: '1', AUTH_RATE_LIMIT_PER_IP: '1000', MATCHMAKING_INTERVAL: '100', MAX_PLAYERS_PER_MATCH: '2', ADMIN_EMAILS: 'organizer@example.com' };
    const gateway = await startTestServer({ ...settings, ROLE: 'gateway', NODE_NAME: 'gw' }, scope);
    const workerPort = await freePort();
    let worker: Awaited<ReturnType<typeof startTestServer>> | undefined;
    try {
      const host = (await gateway.call('POST', '/auth/guest', { body: { display_name: 'Host' } })).body.access_token as string;
      const refused = await gateway.call('POST', '/api/rooms/create', { token: host, body: { room_name: 'Nowhere', max_players: 2 } });
      expect([refused.status, refused.body.code]).toEqual([503, 'no_worker']);

      worker = await startTestServer(
        { ...settings, ROLE: 'worker', NODE_NAME: 'wk', WORKER_GRPC_ADDR: '127.0.0.1:0', GATEWAY_BIND_ADDR: `127.0.0.1:${workerPort}`, PUBLIC_URL: `http://127.0.0.1:${workerPort}` },
        scope,
      );
      await expect.poll(async () => (await gateway.server.directory.nodes()).map((node) => [node.id, node.roles]), { timeout: 5_000 }).toEqual([
        ['gw', ['gateway']],
        ['wk', ['worker']],
      ]);
      const room = await gateway.call('POST', '/api/rooms/create', { token: host, body: { room_name: 'Placed', max_players: 2 } });
      expect(room.status).toBe(201);
      expect((await worker.server.rooms.list({})).map((r) => r.room_id)).toContain(room.body.room_id);

      // Matchmaking on the gateway: the match's room is made on the worker with both seats held, and played there.
      const { ann, bob, annPlayer, bobPlayer, annMatch } = await matchTwo(gateway.url, { game_mode: 'deathmatch', region: 'roles' });
      expect(annMatch.node).toBe('wk');
      expect(await gateway.server.directory.owner(annMatch.room_id)).toMatchObject({ node: 'wk' });
      await ann.joinRoom(annMatch.room_id);
      await bob.joinRoom(annMatch.room_id);
      const ended = await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
      expect(ended.results.map((r) => r.player_id).sort()).toEqual([annPlayer.id, bobPlayer.id].sort());
      expect((await gateway.server.rooms.list({})).map((r) => r.room_id)).toContain(annMatch.room_id);

      // A tournament run by the gateway: its match room is made on the worker, held for both players, and the
      // game played there decides the match.
      const admin = await organizer(gateway.url);
      const cup = await admin.createTournament({ name: 'Split Cup', stages: [{ format: 'single_elimination' }], seeding: 'registration' });
      const ready = Promise.all([waitFor(ann, 'tournament_match_ready'), waitFor(bob, 'tournament_match_ready')]);
      await ann.registerForTournament(cup.id);
      await bob.registerForTournament(cup.id);
      await admin.startTournament(cup.id);
      const [notice] = await ready;
      expect(await gateway.server.directory.owner(notice.room_id)).toMatchObject({ node: 'wk' });
      await ann.leaveRoom();
      await bob.leaveRoom();
      await ann.joinRoom(notice.room_id);
      await bob.joinRoom(notice.room_id);
      await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
      await expect.poll(async () => (await admin.getTournament(cup.id)).status, { timeout: 20_000, interval: 250 }).toBe('finished');
      expect((await admin.getTournament(cup.id)).placements[0]).toMatchObject({ player_id: annPlayer.id });
      for (const client of [ann, bob, admin]) client.close();
    } finally {
      await worker?.stop();
      await gateway.stop();
    }
  }, 60_000);
});
