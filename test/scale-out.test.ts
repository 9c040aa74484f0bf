/**
 * Scale-out with separate processes on one PostgreSQL and one Redis: two gateways (ROLE=gateway) and two workers
 * (ROLE=worker), the second one a node of two processes (WORKERS=2, each with its own Worker API). A burst of
 * rooms made through one gateway is spread over the three worker processes; two players connected to different
 * gateways are matched, sent to the worker hosting their match, and play it to the end.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { GameV1Client } from '../client/src/index.js';
import { RedisDirectory } from '../src/directory/index.js';
import { shootUntilMatchEnds } from './support/play.js';
import { freePort, listeningUrl, startProcess } from './support/process.js';
import { sdkClient, waitFor } from './support/sdk.js';
import { isolation, peerNodeEnv, realBackends } from './support/server.js';

const SETTINGS = { SCORE_LIMIT: '1', AUTH_RATE_LIMIT_PER_IP: '1000', MATCHMAKING_INTERVAL: '100', MAX_PLAYERS_PER_MATCH: '2' };

describe.runIf(realBackends)('two gateways and two workers, each a process', () => {
  it('spreads rooms over the workers, and players of different gateways meet and play on one', async () => {
    const scope = isolation();
    const env = { ...SETTINGS, ...peerNodeEnv(scope, 'scale-out-secret-scale-out-secret-0123') };
    const node = async (name: string, role: 'gateway' | 'worker', processes = 1) => {
      const port = await freePort();
      const child = startProcess({
        ...env,
        NODE_NAME: name,
        GATEWAY_BIND_ADDR: `127.0.0.1:${port}`,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...(role === 'worker' ? { WORKER_GRPC_ADDR: '127.0.0.1:0', WORKERS: String(processes) } : {}),
      }, ['--role', role]);
      return { child, url: (await listeningUrl(child)).url };
    };
    const redis = new Redis(process.env.REDIS_URL!, { keyPrefix: scope.keyPrefix });
    const directory = new RedisDirectory(redis, 'dir:');
    const nodes = await Promise.all([node('gw-1', 'gateway'), node('gw-2', 'gateway'), node('wk-1', 'worker'), node('wk-2', 'worker', 2)]);
    const [gw1, gw2] = nodes;
    const clients: GameV1Client[] = [];
    try {
      await expect.poll(async () => (await directory.nodes()).map((n) => `${n.id}:${n.roles.join('+')}`), { timeout: 15_000 }).toEqual([
        'gw-1:gateway',
        'gw-2:gateway',
        'wk-1:worker',
        'wk-2-w1.w1:worker',
        'wk-2-w2.w2:worker',
      ]);

      // A burst of four rooms through one gateway, faster than the workers announce their room counts.
      const { client: host } = sdkClient(gw1!.url);
      clients.push(host);
      await host.guest('Host');
      const rooms = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => host.createRoom({ room_name: `Burst ${i}`, max_players: 2 })));
      const owners = await Promise.all(rooms.map(async (room) => (await directory.owner(room.room_id))?.node));
      expect(owners.toSorted()).toEqual(['wk-1', 'wk-1', 'wk-2-w1.w1', 'wk-2-w1.w1', 'wk-2-w2.w2', 'wk-2-w2.w2']);
      // A room on the second process of the two-process worker: a player joins it through a gateway.
      const { client: visitor } = sdkClient(gw2!.url);
      clients.push(visitor);
      await visitor.guest('Visitor');
      await visitor.connect();
      const far = rooms[owners.indexOf('wk-2-w2.w2')]!;
      expect((await visitor.joinRoom(far.room_id)).room_id).toBe(far.room_id);
      // The lobby lists every room once.
      expect((await visitor.listRooms()).filter((room) => room.room_name.startsWith('Burst')).length).toBe(6);
      visitor.close();

      // Ann is connected to one gateway, Bob to the other.
      const { client: ann } = sdkClient(gw1!.url);
      const { client: bob } = sdkClient(gw2!.url);
      clients.push(ann, bob);
      const annPlayer = await ann.guest('Ann');
      const bobPlayer = await bob.guest('Bob');
      await Promise.all([ann.connect(), bob.connect()]);
      const found = Promise.all([waitFor(ann, 'match_found'), waitFor(bob, 'match_found')]);
      await ann.queueForMatch({ game_mode: 'deathmatch', region: 'scale-out' });
      await bob.queueForMatch({ game_mode: 'deathmatch', region: 'scale-out' });
      const [annMatch, bobMatch] = await found;
      expect(bobMatch.room_id).toBe(annMatch.room_id);
      expect(['wk-1', 'wk-2-w1', 'wk-2-w2']).toContain(annMatch.node);
      await ann.joinRoom(annMatch.room_id);
      await bob.joinRoom(annMatch.room_id);
      const ended = await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
      expect(ended.results.map((r) => r.player_id).toSorted()).toEqual([annPlayer.id, bobPlayer.id].toSorted());
    } finally {
      for (const client of clients) client.close();
      for (const { child } of nodes) child.kill('SIGTERM');
      await Promise.all(nodes.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)));
      await redis.quit();
    }
  }, 90_000);
});
