/**
 * GameV1 load generator.
 *
 *   npm run bench -- --players 1000 --rooms 100 --tick 20 --duration 60s
 *   npm run bench -- --ramp 500:10000:500 --rooms-of 10 --step 15s [--through]
 *   npm run bench:compare -- --players 1000 --rooms 100     (GameV1, the floors and the Colyseus peer, same run)
 *   npm run bench -- --target gamev1,floor-ws,floor-net      (any of the targets below, one after another)
 *   npm run bench -- --idle 15000                            (authenticated connections that only hold on)
 *   add --workers N to run GameV1 as N processes (WORKERS=N; needs DATABASE_URL and REDIS_URL)
 *
 * Targets: gamev1 (WS_TRANSPORT=uws) and gamev1-ws (WS_TRANSPORT=ws); the transport floor, GameV1's protocol with
 * no game behind it (bench/floor/server.ts), on floor-uws, floor-ws and floor-net; the Colyseus peer
 * (bench/peers/colyseus) on its ws transport (colyseus) and its uWebSockets.js one (colyseus-uws).
 *
 * Starts the server under test as its own process (its CPU and RSS are read from /proc), creates the rooms,
 * and drives bot processes that connect, authenticate as guests, join, send inputs at the input rate and read
 * snapshots. Latency = time from sending an input to the first snapshot that acknowledges it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BotProcessConfig, BotSpec, ChildMessage, ParentMessage } from './lib/protocol.js';
import { table, writeJson, writePlot, type StepResult } from './lib/report.js';
import { ProcessProbe, bucketQuantile, histogramBuckets } from './lib/server-probe.js';
import { startGameV1, startTarget, type TargetName, type TargetServer } from './lib/targets.js';
import { seconds, sleep } from './lib/time.js';
import { WindowTotals } from './lib/window-totals.js';

const { values: args } = parseArgs({
  options: {
    players: { type: 'string', default: '100' },
    rooms: { type: 'string' },
    'rooms-of': { type: 'string', default: '10' },
    tick: { type: 'string', default: '20' },
    'input-rate': { type: 'string' },
    duration: { type: 'string', default: '30s' },
    warmup: { type: 'string', default: '5s' },
    ramp: { type: 'string' },
    step: { type: 'string', default: '15s' },
    through: { type: 'boolean', default: false },
    target: { type: 'string', default: 'gamev1' },
    decode: { type: 'string' },
    out: { type: 'string', default: 'bench/results/latest' },
    'connect-rate': { type: 'string', default: '500' },
    idle: { type: 'string' },
    workers: { type: 'string', default: '1' },
    'bots-per-process': { type: 'string', default: '2500' },
  },
});

const tickRate = Number(args.tick);
const inputRate = Number(args['input-rate'] ?? args.tick);
const roomSize = Number(args['rooms-of']);
const targets = args.target.split(',') as TargetName[];
for (const target of targets) {
  if (!(target in startTarget)) throw new Error(`unknown --target ${target}; one or more of ${Object.keys(startTarget).join(', ')}`);
}
const latencyBound = 1000 / tickRate + 10;
const workers = Number(args.workers);
const botsPerProcess = Number(args['bots-per-process']);

interface BotProcess {
  child: ChildProcess;
  latest: Extract<ChildMessage, { type: 'stats' }>['stats'] | undefined;
}

const botScript = fileURLToPath(new URL('./lib/bot-process.ts', import.meta.url));

function startBots(server: TargetServer, specs: BotSpec[], index: number, decode: 'full' | 'ack', stats: WindowTotals): BotProcess {
  const child = fork(botScript, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const bots: BotProcess = { child, latest: undefined };
  const config: BotProcessConfig = {
    target: server.name,
    url: server.url,
    bots: specs,
    inputRate,
    decode,
    driver: 'ws',
    localAddress: `127.0.0.${1 + (index % 250)}`,
    connectSpacingMs: 1000 / Number(args['connect-rate']),
  };
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'stats') {
      bots.latest = message.stats;
      stats.absorb(message.stats);
    } else if (message.type === 'fatal') {
      console.error(`bot process ${index}: ${message.message}`);
    }
  });
  child.send({ type: 'start', config } satisfies ParentMessage);
  return bots;
}

const connectedOf = (processes: BotProcess[]) => processes.reduce((sum, p) => sum + (p.latest?.connected ?? 0), 0);
const countOf = (processes: BotProcess[], key: 'errors' | 'retries' | 'disconnects') => processes.reduce((sum, p) => sum + (p.latest?.[key] ?? 0), 0);

/** Waits until `players` bots are connected (or stop improving), printing progress. */
async function waitForConnections(processes: BotProcess[], players: number): Promise<void> {
  let best = 0;
  let stalledFor = 0;
  while (connectedOf(processes) < players && stalledFor < 15) {
    await sleep(1000);
    const connected = connectedOf(processes);
    stalledFor = connected > best ? 0 : stalledFor + 1;
    best = Math.max(best, connected);
    process.stdout.write(`\r  connecting: ${connected}/${players}   `);
  }
  process.stdout.write('\n');
}

/** Holds the current load for `duration` seconds and measures it. */
async function measure(server: TargetServer, processes: BotProcess[], totals: WindowTotals, players: number, rooms: number, duration: number): Promise<StepResult> {
  const probe = new ProcessProbe(server.pid);
  const ticksBefore = histogramBuckets(await server.metrics(), 'gamev1_tick_duration_seconds');
  const errorsBefore = countOf(processes, 'errors');
  const disconnectsBefore = countOf(processes, 'disconnects');
  totals.reset();
  probe.cpuPercent();
  let rss = 0;
  const started = performance.now();
  for (let second = 1; second <= duration; second++) {
    await sleep(1000);
    rss = Math.max(rss, probe.rssMb());
    const p99 = totals.latency.quantile(0.99);
    process.stdout.write(
      `\r  ${server.name} t=${second}s/${duration}s players ${connectedOf(processes)}/${players} ` +
        `lat p50 ${totals.latency.quantile(0.5).toFixed(1)} p99 ${p99.toFixed(1)} ms rss ${rss.toFixed(0)} MB   `,
    );
  }
  process.stdout.write('\n');
  const elapsed = (performance.now() - started) / 1000;
  const cpu = probe.cpuPercent();
  const ticksAfter = histogramBuckets(await server.metrics(), 'gamev1_tick_duration_seconds');
  const connected = connectedOf(processes);
  return {
    target: server.name,
    players,
    connected,
    rooms,
    seconds: Math.round(elapsed),
    latencyP50: totals.latency.quantile(0.5),
    latencyP99: totals.latency.quantile(0.99),
    latencyMax: totals.latency.max,
    tickP50: bucketQuantile(ticksBefore, ticksAfter, 0.5),
    tickP99: bucketQuantile(ticksBefore, ticksAfter, 0.99),
    serverCpuPercent: cpu,
    serverRssMb: rss,
    cpuPer1000Players: connected > 0 ? cpu / (connected / 1000) : NaN,
    snapshotBytesPerClientPerSecond: connected > 0 ? totals.snapshotBytes / connected / elapsed : NaN,
    inputsPerSecond: totals.inputs / elapsed,
    errors: countOf(processes, 'errors') - errorsBefore,
    disconnects: countOf(processes, 'disconnects') - disconnectsBefore,
  };
}

/** Runs one target through the requested load levels; returns one result per level. */
async function runTarget(name: TargetName, levels: number[]): Promise<StepResult[]> {
  const maxPlayers = levels.at(-1)!;
  const rooms = Number(args.rooms ?? Math.max(1, Math.ceil(maxPlayers / roomSize)));
  const perRoom = Math.ceil(maxPlayers / rooms);
  const server = await startTarget[name]({ tickRate, maxPlayersPerRoom: perRoom, workers });
  console.log(`${name}: server pid ${server.pid} at ${server.url}; ${rooms} rooms of up to ${perRoom}`);
  const totals = new WindowTotals();
  const processes: BotProcess[] = [];
  const results: StepResult[] = [];
  try {
    const roomIds = await server.createRooms(rooms, perRoom);
    let running = 0;
    for (const players of levels) {
      // The floor's delta is filler, not a snapshot to decode: its bots read only the acks.
      const decode = name.startsWith('floor') ? 'ack' : ((args.decode as 'full' | 'ack' | undefined) ?? (maxPlayers > 2_000 ? 'ack' : 'full'));
      const specs: BotSpec[] = [];
      // Rooms fill up one after another, so every load level runs full rooms of the requested size.
      for (let i = running; i < players; i++) specs.push({ name: `bot${i}`, roomId: roomIds[Math.floor(i / perRoom) % rooms]! });
      for (let offset = 0; offset < specs.length; offset += botsPerProcess) {
        processes.push(startBots(server, specs.slice(offset, offset + botsPerProcess), processes.length, decode, totals));
      }
      running = players;
      await waitForConnections(processes, players);
      await sleep(seconds(args.warmup) * 1000);
      const duration = seconds(levels.length > 1 ? args.step : args.duration);
      const result = await measure(server, processes, totals, players, Math.min(rooms, Math.ceil(players / perRoom)), duration);
      results.push(result);
      console.log(table([result]).split('\n').slice(2).join('\n'));
      const broken = result.latencyP99 > latencyBound || result.connected < players * 0.99;
      if (levels.length > 1 && broken && !args.through) {
        console.log(`  bound broken at ${players} players (p99 ${result.latencyP99.toFixed(1)} ms > ${latencyBound} ms or lost connections); stopping the ramp`);
        break;
      }
    }
  } finally {
    await stopAll(processes, server);
  }
  return results;
}

/** Stops the bot processes (they close their connections first), then the server. */
async function stopAll(processes: BotProcess[], server: TargetServer): Promise<void> {
  for (const bots of processes) bots.child.send({ type: 'stop' } satisfies ParentMessage);
  await sleep(500);
  for (const bots of processes) bots.child.kill();
  await server.stop();
}

function levelsFromArgs(): number[] {
  if (!args.ramp) return [Number(args.players)];
  const [from, to, step] = args.ramp.split(':').map(Number);
  if (!from || !to || !step) throw new Error('--ramp takes start:end:step, e.g. 500:10000:500');
  const levels: number[] = [];
  for (let n = from; n <= to; n += step) levels.push(n);
  return levels;
}

/**
 * Holds `count` idle authenticated connections and reports what they cost the server. Memory per connection
 * is the RSS slope between a quarter and all of them, so start-up garbage does not blur it.
 */
async function runIdle(count: number, machine: object): Promise<void> {
  const server = await startGameV1({ tickRate, maxPlayersPerRoom: roomSize, workers });
  const probe = new ProcessProbe(server.pid);
  const rssAtStart = probe.rssMb();
  const totals = new WindowTotals();
  const processes: BotProcess[] = [];
  const connectUpTo = async (target: number) => {
    for (let offset = connectedOf(processes); offset < target; offset += botsPerProcess) {
      const specs = Array.from({ length: Math.min(botsPerProcess, target - offset) }, (_, i) => ({ name: `idle${offset + i}` }));
      processes.push(startBots(server, specs, processes.length, 'ack', totals));
    }
    await waitForConnections(processes, target);
    await sleep(10_000);
  };
  try {
    await connectUpTo(Math.floor(count / 4));
    const first = { held: connectedOf(processes), rss: probe.rssMb() };
    await connectUpTo(count);
    probe.cpuPercent();
    await sleep(10_000);
    const held = connectedOf(processes);
    const rss = probe.rssMb();
    const result = {
      connections: held,
      requested: count,
      rssAtStartMb: rssAtStart,
      rssAtQuarterMb: first.rss,
      rssMb: rss,
      kbPerConnection: ((rss - first.rss) * 1024) / Math.max(1, held - first.held),
      kbPerConnectionFromStart: ((rss - rssAtStart) * 1024) / Math.max(1, held),
      idleCpuPercent: probe.cpuPercent(),
      errors: countOf(processes, 'errors'),
      connectRetries: countOf(processes, 'retries'),
    };
    console.log(`\nidle connections held: ${held}/${count}; server RSS ${rssAtStart.toFixed(0)} MB at start, ${first.rss.toFixed(0)} MB at ${first.held}, ` +
      `${rss.toFixed(0)} MB at ${held} (${result.kbPerConnection.toFixed(1)} KB per connection from the quarter on, ` +
      `${result.kbPerConnectionFromStart.toFixed(1)} KB from the start); server CPU while idle ${result.idleCpuPercent.toFixed(1)} %; ` +
      `${result.connectRetries} connection attempts retried, ${result.errors} bots gave up`);
    writeJson(`${args.out}.json`, { machine, args, idle: result });
  } finally {
    await stopAll(processes, server);
  }
}

async function main(): Promise<void> {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  if (args.idle) {
    await runIdle(Number(args.idle), machine);
    return;
  }
  const levels = levelsFromArgs();
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}`);
  const results: StepResult[] = [];
  for (const target of targets) results.push(...(await runTarget(target, levels)));
  console.log(`\n${table(results)}`);
  printRatios(results);
  writeJson(`${args.out}.json`, { machine, args, latencyBoundMs: latencyBound, results });
  writePlot(`${args.out}.svg`, results, `Latency and tick time vs players (${tickRate} Hz, rooms of ${roomSize})`);
  console.log(`\nwrote ${args.out}.json and ${args.out}.svg`);
}

type Family = 'gamev1' | 'colyseus' | 'floor';
const familyOf = (target: string): Family => (target.startsWith('gamev1') ? 'gamev1' : target.startsWith('colyseus') ? 'colyseus' : 'floor');
/** GameV1 is read against the peer and the floors, the peer against the floors (what it costs above moving frames). */
const MEASURED_AGAINST: Record<Family, Family[]> = { gamev1: ['floor', 'colyseus'], colyseus: ['floor'], floor: [] };

function printRatios(results: StepResult[]): void {
  for (const ours of results) {
    const against = MEASURED_AGAINST[familyOf(ours.target)];
    for (const peer of results.filter((r) => r.players === ours.players && against.includes(familyOf(r.target)))) {
      console.log(
        `ratio ${ours.target}/${peer.target} at ${ours.players} players: CPU per 1k players ${(ours.cpuPer1000Players / peer.cpuPer1000Players).toFixed(2)}, ` +
          `RSS ${(ours.serverRssMb / peer.serverRssMb).toFixed(2)}, snapshot bytes ${(ours.snapshotBytesPerClientPerSecond / peer.snapshotBytesPerClientPerSecond).toFixed(2)}, ` +
          `latency p99 ${(ours.latencyP99 / peer.latencyP99).toFixed(2)}`,
      );
    }
  }
}

await main();
