/**
 * What joining a room on another node costs, against joining one on the node the player is connected to: two
 * GameV1 nodes in this process on one PostgreSQL and one Redis, each serving its Worker API; SDK players
 * connected to node A join rooms placed on A and rooms placed on B (the join answers room_elsewhere and the
 * SDK follows it to B). After the join a player's connection is to the room's node either way, so what
 * differs is only the join.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
 *   npm run bench:cross-node -- [--players 200]
 *
 * Everything lives in the schema bench_cross and under the Redis key prefix bench-cross:, dropped at the end.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { GameV1Client, type WebSocketConstructor } from '../client/src/index.js';
import { loadConfig } from '../src/config/index.js';
import { GameServer } from '../src/server/index.js';
import { freePort } from '../test/support/process.js';
import { dropBenchData } from './lib/bench-data.js';
import { LatencyHistogram } from './lib/histogram.js';

const { values } = parseArgs({ options: { players: { type: 'string', default: '200' } } });
const players = Number(values.players);
if (!process.env.DATABASE_URL || !process.env.REDIS_URL) throw new Error('set DATABASE_URL and REDIS_URL: the two nodes share them');

async function node(name: string, region: string): Promise<GameServer> {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_NAME: name,
    NODE_REGION: region,
    GATEWAY_BIND_ADDR: `127.0.0.1:${port}`,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    WORKER_GRPC_ADDR: '127.0.0.1:0',
    DATABASE_SCHEMA: 'bench_cross',
    REDIS_KEY_PREFIX: 'bench-cross:',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    ENABLE_RATE_LIMITING: 'false',
    LOG_LEVEL: 'warn',
  };
  return GameServer.start(loadConfig({ env, argv: [], cwd: process.cwd() }));
}

/** Milliseconds from joinRoom() to room_joined for each player, each in a room of its own placed in `region`. */
async function joinTimes(url: string, region: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < players; i++) {
    const client = new GameV1Client(url, { WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { enabled: false } });
    await client.guest(`P${i}`);
    await client.connect();
    const room = await client.createRoom({ room_name: `Bench ${i}`, region, max_players: 2 });
    const start = performance.now();
    await client.joinRoom(room.room_id);
    times.push(performance.now() - start);
    client.close();
  }
  return times;
}

const a = await node('bench-a', 'region-a');
const b = await node('bench-b', 'region-b');
try {
  while ((await a.directory.nodes()).length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
  const rows = [
    ['same node (room on A)', await joinTimes(a.url, 'region-a')],
    ['other node (room on B, room_elsewhere)', await joinTimes(a.url, 'region-b')],
  ] as const;
  console.log(`${players} joins each; node v${process.versions.node}`);
  console.log('| join | p50 ms | p90 ms | p99 ms |\n| --- | --- | --- | --- |');
  for (const [label, times] of rows) {
    const histogram = new LatencyHistogram();
    for (const ms of times) histogram.record(ms);
    console.log(`| ${label} | ${[0.5, 0.9, 0.99].map((q) => histogram.quantile(q).toFixed(2)).join(' | ')} |`);
  }
} finally {
  await Promise.all([a.close(), b.close()]);
  await dropBenchData('bench_cross', 'bench-cross:');
}
