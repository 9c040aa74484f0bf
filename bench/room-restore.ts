/**
 * How long a room is gone when its node is SIGKILLed, and how much play is lost: a survivor node in this process
 * and, each round, a fresh owner node as a process of its own, on one PostgreSQL and one Redis. Two SDK players
 * (default reconnect settings, at home on the survivor) play in a room on the owner, moving and shooting every
 * tick, until the owner is SIGKILLed; the survivor takes the room over and the SDKs reconnect to it.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
 *   npm run bench:room-restore -- [--rounds 10] [--checkpoint-ms 500]
 *
 * Per round: kill → both players back in the room (room_joined resumed), the survivor's own restore time
 * (lease taken → room served: gamev1_room_restore_seconds), and the play lost: ticks the players had seen that
 * the checkpoint the room was rebuilt from did not hold. Everything lives in the schema bench_restore and under
 * the Redis key prefix bench-restore:, dropped at the end.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { GameV1Client, type WebSocketConstructor } from '../client/src/index.js';
import { RedisCache } from '../src/cache/index.js';
import { loadConfig } from '../src/config/index.js';
import { RedisDirectory } from '../src/directory/index.js';
import { GameModes } from '../src/games/index.js';
import { RedisCheckpointStore } from '../src/recovery/index.js';
import { GameServer } from '../src/server/index.js';
import { freePort, listeningUrl, startProcess } from '../test/support/process.js';
import { dropBenchData } from './lib/bench-data.js';
import { LatencyHistogram } from './lib/histogram.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, 'checkpoint-ms': { type: 'string', default: '500' } } });
const rounds = Number(values.rounds);
if (!process.env.DATABASE_URL || !process.env.REDIS_URL) throw new Error('set DATABASE_URL and REDIS_URL: the nodes share them');

const SCHEMA = 'bench_restore';
const PREFIX = 'bench-restore:';
const SECRET = 'bench-secret-bench-secret-bench-secret';
const TICK_RATE = 20;
const shared = {
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
  DATABASE_SCHEMA: SCHEMA,
  REDIS_KEY_PREFIX: PREFIX,
  JWT_SECRET: SECRET,
  ENABLE_RATE_LIMITING: 'false',
  ROOM_CHECKPOINT_INTERVAL: values['checkpoint-ms'],
  SCORE_LIMIT: '1000',
  TICK_RATE: String(TICK_RATE),
};

const survivorPort = await freePort();
const survivor = await GameServer.start(
  loadConfig({
    env: { ...shared, NODE_NAME: 'survivor', NODE_REGION: 'region-b', GATEWAY_BIND_ADDR: `127.0.0.1:${survivorPort}`, PUBLIC_URL: `http://127.0.0.1:${survivorPort}`, LOG_LEVEL: 'warn' },
    argv: [],
    cwd: process.cwd(),
  }),
);
const cache = survivor.cache as RedisCache;
const store = new RedisCheckpointStore(cache.client, (roomId) => new RedisDirectory(cache.client, 'dir:').leaseKey(roomId));
const modes = new GameModes();

/** The SDK player, with the newest tick it has seen. */
async function player(name: string): Promise<{ client: GameV1Client; id: string; lastTick: () => number }> {
  const client = new GameV1Client(survivor.url, { WebSocket: WebSocket as unknown as WebSocketConstructor });
  const { id } = await client.guest(name);
  await client.connect();
  let tick = 0;
  client.on('snapshot', (event) => {
    tick = event.tick;
  });
  return { client, id, lastTick: () => tick };
}

/** Sums of the survivor's restore-time histogram, to take one round's restore out of it. */
async function restoreSeconds(): Promise<number> {
  const text = await (await fetch(`${survivor.url}/metrics`)).text();
  return Number(/gamev1_room_restore_seconds_sum\{[^}]*\} ([\d.e+-]+)/.exec(text)?.[1] ?? 0);
}

const back = new LatencyHistogram();
const restore = new LatencyHistogram();
const lost = new LatencyHistogram();
try {
  for (let round = 0; round < rounds; round++) {
    const port = await freePort();
    const owner = startProcess({
      ...(shared as Record<string, string>),
      NODE_NAME: `owner-${round}`,
      NODE_REGION: 'region-a',
      GATEWAY_BIND_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
    });
    const { url: ownerUrl } = await listeningUrl(owner);
    while (!(await survivor.directory.nodes()).some((node) => node.id === `owner-${round}`)) await new Promise((resolve) => setTimeout(resolve, 50));
    const ann = await player(`Ann${round}`);
    const bob = await player(`Bob${round}`);
    const created = await fetch(`${ownerUrl}/api/rooms/create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ann.client.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room_name: `Restore ${round}`, region: 'region-a', max_players: 2 }),
    });
    const { room_id: roomId } = (await created.json()) as { room_id: string };
    await ann.client.joinRoom(roomId);
    await bob.client.joinRoom(roomId);
    // Both move and shoot every tick for 3 s, then the owner dies between two checkpoints.
    let step = 0;
    const playing = setInterval(() => {
      step++;
      for (const [p, x] of [[ann, 1], [bob, -1]] as const) {
        p.client.sendInput({ movement: { x: x * Math.sin(step / 9), y: 0, z: Math.cos(step / 7) }, actions: step % 4 === 0 ? ['shoot'] : [], aim: { x, y: 0, z: 0.1 } });
      }
    }, 1000 / TICK_RATE);
    await new Promise((resolve) => setTimeout(resolve, 3_000 + Math.random() * Number(values['checkpoint-ms'])));
    clearInterval(playing);
    const seen = Math.max(ann.lastTick(), bob.lastTick());
    const restoredBefore = await restoreSeconds();
    const reconnected = Promise.all([ann, bob].map((p) => p.client.once('reconnected')));
    const killedAt = performance.now();
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    const checkpoint = await store.read(roomId);
    const events = await reconnected;
    back.record(performance.now() - killedAt);
    if (events.some((event) => event.room?.room_id !== roomId)) throw new Error(`round ${round}: a player did not get back into the room`);
    restore.record(((await restoreSeconds()) - restoredBefore) * 1000);
    if (checkpoint) {
      const { game } = modes.get(checkpoint.state.options.gameMode).resume(checkpoint.state.settings, checkpoint.state.seed, checkpoint.record);
      lost.record((Math.max(0, seen - game.tick) * 1000) / TICK_RATE);
    }
    ann.client.close();
    bob.client.close();
    await survivor.rooms.remove(roomId);
  }
  const row = (label: string, histogram: LatencyHistogram) =>
    `| ${label} | ${[0.5, 0.99].map((q) => histogram.quantile(q).toFixed(1)).join(' | ')} | ${histogram.max.toFixed(1)} |`;
  console.log(`${rounds} SIGKILLs, checkpoints every ${values['checkpoint-ms']} ms, node v${process.versions.node}`);
  console.log('| per kill | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- |');
  console.log(row('kill → both players back in the room', back));
  console.log(row('lease taken → room served (restore)', restore));
  console.log(row('play lost (ticks seen, not in the checkpoint)', lost));
} finally {
  await survivor.close();
  await dropBenchData(SCHEMA, PREFIX);
}
