/**
 * Capacity per core: how many players one CPU core serves within the latency bound.
 *
 *   npm run bench:capacity -- --target gamev1,floor-ws,colyseus --start 500 --step 500 --max 6000
 *   npm run bench:capacity -- --target floor-ws,gamev1 --start 200 --step 200 --max 400 --duration 8s --warmup 2s
 *
 * The server under test runs alone on one core (--server-core, default 0) and every bot process on another
 * (--bot-core, default 1), both with taskset. For each target the players rise step by step (rooms of
 * --rooms-of, --tick Hz inputs and snapshots); each step is held for --warmup, then measured for --duration,
 * and the first step that does not hold ends that target. GameV1-protocol targets are driven by raw-socket
 * bots (bench/lib/raw-gamev1-driver.ts), the Colyseus peer by its own client; the bots' CPU is printed beside every row so a reader can see they were not the limit.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BotProcessConfig, BotSpec, BotStats, ChildMessage, ParentMessage } from './lib/protocol.js';
import { fixed, markdownTable, writeJson, type Column } from './lib/report.js';
import { ProcessProbe, bucketQuantile, histogramBuckets } from './lib/server-probe.js';
import { startTarget, type TargetName, type TargetServer } from './lib/targets.js';
import { seconds, sleep } from './lib/time.js';
import { WindowTotals } from './lib/window-totals.js';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'gamev1' },
    start: { type: 'string', default: '500' },
    step: { type: 'string', default: '500' },
    max: { type: 'string', default: '6000' },
    'rooms-of': { type: 'string', default: '10' },
    tick: { type: 'string', default: '20' },
    duration: { type: 'string', default: '20s' },
    warmup: { type: 'string', default: '5s' },
    'p99-bound': { type: 'string', default: '60' },
    'server-core': { type: 'string', default: '0' },
    'bot-core': { type: 'string', default: '1' },
    'bots-per-process': { type: 'string', default: '2000' },
    'connect-rate': { type: 'string', default: '500' },
    out: { type: 'string', default: 'bench/results/capacity' },
  },
});

const targets = args.target.split(',') as TargetName[];
for (const target of targets) {
  if (!(target in startTarget)) throw new Error(`unknown --target ${target}; one or more of ${Object.keys(startTarget).join(', ')}`);
}
const tickRate = Number(args.tick);
const roomSize = Number(args['rooms-of']);
const levels: number[] = [];
for (let players = Number(args.start); players <= Number(args.max); players += Number(args.step)) levels.push(players);
if (levels.length === 0 || !(Number(args.step) > 0)) throw new Error('--start, --step and --max must give at least one step');
const p99BoundMs = Number(args['p99-bound']);
const SERVED_FRACTION = 0.99;
const RULE =
  `a step holds when every player is connected and joined at the end of the window with no disconnect or error in it, ` +
  `p99 input→snapshot latency ≤ ${p99BoundMs} ms, and inputs served ≥ ${SERVED_FRACTION * 100} % of inputs sent in the window ` +
  `(served: covered by a snapshot's ack while the bot still remembers the input, its last 1024; counted when the ack arrives, so inputs in flight at the two edges of the window cancel out)`;

/** A step that fails with the bots' core this busy measured the bots as much as the server. */
const BOTS_SATURATED_PERCENT = 90;

// --- CPU pinning -------------------------------------------------------------------------------------------

function taskset(cores: string, pid: number): void {
  try {
    execFileSync('taskset', ['-a', '-pc', cores, String(pid)], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('taskset not found: capacity runs pin the server and the bots to their own cores (install util-linux)');
    }
    throw error;
  }
}

/** The cores each thread of `pid` may run on (Cpus_allowed_list), to check a pin took. */
function allowedCores(pid: number): Set<string> {
  const lists = readdirSync(`/proc/${pid}/task`).map((task) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8'))?.[1]);
  return new Set(lists.filter((list): list is string => list !== undefined));
}

/**
 * Starts a target with its whole process tree on the server core: a process and its threads inherit the affinity
 * of whoever spawns them, so this process moves to the server core just for the spawn and then back to the bot
 * core, which the bot processes it forks later inherit. That covers every thread the server has or starts later and
 * any process it forks (GameV1's WORKERS), which a `taskset -p` after the spawn could miss.
 */
async function startPinned(name: TargetName): Promise<TargetServer> {
  taskset(args['server-core'], process.pid);
  try {
    const server = await startTarget[name]({ tickRate, maxPlayersPerRoom: roomSize });
    const pinned = [...allowedCores(server.pid)];
    if (pinned.join() !== args['server-core']) {
      await server.stop();
      throw new Error(`${name} (pid ${server.pid}) runs on cores ${pinned.join(' ')}, not ${args['server-core']}`);
    }
    return server;
  } finally {
    taskset(args['bot-core'], process.pid);
  }
}

/** Busy % of one core over a window, from /proc/stat: shows whatever else ran there beside the pinned process. */
class CoreProbe {
  private last: { busy: number; total: number };

  constructor(private readonly core: string) {
    this.last = this.read();
  }

  busyPercent(): number {
    const now = this.read();
    const percent = ((now.busy - this.last.busy) / Math.max(1, now.total - this.last.total)) * 100;
    this.last = now;
    return percent;
  }

  private read(): { busy: number; total: number } {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((row) => row.startsWith(`cpu${this.core} `));
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line!.trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  }
}

// --- bots ----------------------------------------------------------------------------------------------------

interface BotProcess {
  child: ChildProcess;
  probe: ProcessProbe;
  latest: BotStats | undefined;
}

const botScript = fileURLToPath(new URL('./lib/bot-process.ts', import.meta.url));

function spawnBots(server: TargetServer, specs: BotSpec[], index: number, window: WindowTotals): BotProcess {
  const child = fork(botScript, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const bots: BotProcess = { child, probe: new ProcessProbe(child.pid!), latest: undefined };
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'stats') {
      bots.latest = message.stats;
      window.absorb(message.stats);
    } else if (message.type === 'fatal') {
      console.error(`bot process ${index}: ${message.message}`);
    }
  });
  const config: BotProcessConfig = {
    target: server.name,
    url: server.url,
    bots: specs,
    inputRate: tickRate,
    decode: 'ack',
    driver: 'raw',
    // One loopback source address per process, so no single ephemeral port range runs dry.
    localAddress: `127.0.0.${1 + (index % 250)}`,
    connectSpacingMs: 1000 / Number(args['connect-rate']),
  };
  child.send({ type: 'start', config } satisfies ParentMessage);
  return bots;
}

const sum = (processes: BotProcess[], key: 'connected' | 'errors' | 'disconnects') => processes.reduce((total, p) => total + (p.latest?.[key] ?? 0), 0);

/** Waits until `players` bots have joined, or until joining stops progressing for 10 s. */
async function waitForJoined(processes: BotProcess[], players: number): Promise<void> {
  let best = 0;
  for (let stalled = 0; sum(processes, 'connected') < players && stalled < 10; ) {
    await sleep(1000);
    const joined = sum(processes, 'connected');
    stalled = joined > best ? 0 : stalled + 1;
    best = Math.max(best, joined);
    process.stdout.write(`\r  joining: ${joined}/${players}   `);
  }
  process.stdout.write('\n');
}

// --- steps -----------------------------------------------------------------------------------------------

interface StepRow {
  target: TargetName;
  players: number;
  joined: number;
  seconds: number;
  latencyP50: number;
  latencyP99: number;
  /** gamev1_tick_duration_seconds p99 (a bucket bound), in ms: one tick of every room, or one room's step for the peer. */
  tickP99Ms: number;
  /** Server process tree, % of one core. */
  serverCpuPercent: number;
  /** Everything that ran on the server core (the server plus any foreign load). */
  serverCoreBusyPercent: number;
  /** Sum over the bot processes, % of one core. */
  botsCpuPercent: number;
  botCoreBusyPercent: number;
  botProcesses: number;
  inputsSent: number;
  inputsServed: number;
  snapshotBytesPerClientPerSecond: number;
  errors: number;
  disconnects: number;
  held: boolean;
  /** Why the step did not hold; empty when it held. */
  failures: string[];
  /** The bots' core was saturated: a failure may be the bots' rather than the server's. */
  botLimited: boolean;
}

const TICK_METRIC = 'gamev1_tick_duration_seconds';

async function measureStep(server: TargetServer, processes: BotProcess[], window: WindowTotals, players: number): Promise<StepRow> {
  const duration = seconds(args.duration);
  const ticksBefore = histogramBuckets(await server.metrics(), TICK_METRIC);
  const serverProbe = new ProcessProbe(server.pid);
  const serverCore = new CoreProbe(args['server-core']);
  const botCore = new CoreProbe(args['bot-core']);
  for (const bots of processes) bots.probe.cpuPercent();
  const errorsBefore = sum(processes, 'errors');
  const disconnectsBefore = sum(processes, 'disconnects');
  window.reset();
  const started = performance.now();
  for (let second = 1; second <= duration; second++) {
    await sleep(1000);
    process.stdout.write(
      `\r  ${server.name} t=${second}s/${duration}s joined ${sum(processes, 'connected')}/${players} ` +
        `p50 ${window.latency.quantile(0.5).toFixed(1)} p99 ${window.latency.quantile(0.99).toFixed(1)} ms   `,
    );
  }
  process.stdout.write('\n');
  const elapsed = (performance.now() - started) / 1000;
  const joined = sum(processes, 'connected');
  const row: StepRow = {
    target: server.name,
    players,
    joined,
    seconds: Math.round(elapsed),
    latencyP50: window.latency.quantile(0.5),
    latencyP99: window.latency.quantile(0.99),
    tickP99Ms: NaN,
    serverCpuPercent: serverProbe.cpuPercent(),
    serverCoreBusyPercent: serverCore.busyPercent(),
    botsCpuPercent: processes.reduce((total, bots) => total + bots.probe.cpuPercent(), 0),
    botCoreBusyPercent: botCore.busyPercent(),
    botProcesses: processes.length,
    inputsSent: window.inputs,
    inputsServed: window.latency.total,
    snapshotBytesPerClientPerSecond: joined > 0 ? window.snapshotBytes / joined / elapsed : NaN,
    errors: sum(processes, 'errors') - errorsBefore,
    disconnects: sum(processes, 'disconnects') - disconnectsBefore,
    held: false,
    failures: [],
    botLimited: false,
  };
  // Scraped after everything else is read: the scrape is the bench's work, not the players'.
  row.tickP99Ms = bucketQuantile(ticksBefore, histogramBuckets(await server.metrics(), TICK_METRIC), 0.99) * 1000;
  row.failures = failuresOf(row);
  row.held = row.failures.length === 0;
  row.botLimited = row.botCoreBusyPercent >= BOTS_SATURATED_PERCENT;
  return row;
}

function failuresOf(row: StepRow): string[] {
  const failures: string[] = [];
  if (row.joined < row.players) failures.push(`joined ${row.joined}/${row.players}`);
  if (row.errors > 0 || row.disconnects > 0) failures.push(`${row.errors} errors, ${row.disconnects} disconnects`);
  if (!(row.latencyP99 <= p99BoundMs)) failures.push(`p99 ${row.latencyP99.toFixed(1)} ms > ${p99BoundMs} ms`);
  const served = row.inputsServed / row.inputsSent;
  if (!(served >= SERVED_FRACTION)) failures.push(`served ${(served * 100).toFixed(1)} % of inputs < ${SERVED_FRACTION * 100} %`);
  return failures;
}

/** Raises the players of one target step by step until a step does not hold; returns every step measured. */
async function runTarget(name: TargetName): Promise<StepRow[]> {
  const server = await startPinned(name);
  const window = new WindowTotals();
  const processes: BotProcess[] = [];
  const rows: StepRow[] = [];
  try {
    const rooms = await server.createRooms(Math.ceil(levels.at(-1)! / roomSize), roomSize);
    console.log(`${name}: server pid ${server.pid} on core ${args['server-core']}, bots on core ${args['bot-core']}; ${rooms.length} rooms of ${roomSize}`);
    let running = 0;
    for (const players of levels) {
      // Rooms fill one after another, so every step runs full rooms.
      const specs = Array.from({ length: players - running }, (_, i) => ({ name: `bot${running + i}`, roomId: rooms[Math.floor((running + i) / roomSize)]! }));
      const perProcess = Number(args['bots-per-process']);
      for (let offset = 0; offset < specs.length; offset += perProcess) {
        processes.push(spawnBots(server, specs.slice(offset, offset + perProcess), processes.length, window));
      }
      running = players;
      await waitForJoined(processes, players);
      await sleep(seconds(args.warmup) * 1000);
      const row = await measureStep(server, processes, window, players);
      rows.push(row);
      console.log(table([row]).split('\n').slice(2).join('\n'));
      if (!row.held) {
        console.log(`  ${name} did not hold ${players} players: ${row.failures.join('; ')}${row.botLimited ? botLimitNote(row) : ''}`);
        break;
      }
    }
  } finally {
    for (const bots of processes) bots.child.send({ type: 'stop' } satisfies ParentMessage);
    await sleep(500);
    for (const bots of processes) bots.child.kill();
    await server.stop();
  }
  return rows;
}

// --- report ------------------------------------------------------------------------------------------------

const botLimitNote = (row: StepRow) => ` (bots' core ${fixed(row.botCoreBusyPercent)} % busy: bot-limited, not a server result)`;
const perThousand = (percent: number, players: number) => (players > 0 ? percent / (players / 1000) : NaN);

const COLUMNS: Column<StepRow>[] = [
  ['target', (r) => r.target],
  ['players', (r) => `${r.joined}/${r.players}`],
  ['lat p50 ms', (r) => fixed(r.latencyP50)],
  ['lat p99 ms', (r) => fixed(r.latencyP99)],
  ['tick p99 ms', (r) => fixed(r.tickP99Ms)],
  ['server CPU %', (r) => fixed(r.serverCpuPercent)],
  ['server core busy %', (r) => fixed(r.serverCoreBusyPercent)],
  ['bots CPU %', (r) => fixed(r.botsCpuPercent)],
  ['bots CPU %/1k', (r) => fixed(perThousand(r.botsCpuPercent, r.joined))],
  ['bot core busy %', (r) => fixed(r.botCoreBusyPercent)],
  ['inputs sent', (r) => String(r.inputsSent)],
  ['inputs served', (r) => String(r.inputsServed)],
  ['snap B/client/s', (r) => fixed(r.snapshotBytesPerClientPerSecond, 0)],
  ['held', (r) => (r.held ? 'yes' : `no: ${r.failures.join('; ')}${r.botLimited ? ' (bot-limited)' : ''}`)],
];

const table = (rows: StepRow[]) => markdownTable(COLUMNS, rows);

/** The largest player count that held, per target (0 when even the first step did not). */
function capacityOf(rows: StepRow[]): Record<string, number> {
  const capacity: Record<string, number> = {};
  for (const target of targets) capacity[target] = Math.max(0, ...rows.filter((r) => r.target === target && r.held).map((r) => r.players));
  return capacity;
}

async function main(): Promise<void> {
  if (cpus().length < 2 || args['server-core'] === args['bot-core']) throw new Error('capacity runs need the server and the bots on different cores');
  // From here on this process, and so every bot process it forks, stays off the server's core.
  taskset(args['bot-core'], process.pid);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}`);
  console.log(`steps: ${levels.join(', ')} players, rooms of ${roomSize}, ${tickRate} Hz inputs and snapshots`);
  console.log(`rule: ${RULE}`);
  const rows: StepRow[] = [];
  for (const target of targets) rows.push(...(await runTarget(target)));
  const capacity = capacityOf(rows);
  console.log(`\n${table(rows)}\n`);
  for (const [target, players] of Object.entries(capacity)) {
    const last = rows.filter((r) => r.target === target).at(-1);
    const bound = !last ? '' : last.held ? ' (every step held: raise --max)' : last.botLimited ? ' (a lower bound: the failing step was bot-limited)' : '';
    console.log(`capacity on one core: ${target} held ${players} players${bound}`);
  }
  writeJson(`${args.out}.json`, { machine, args, rule: RULE, capacity, steps: rows });
  console.log(`\nwrote ${args.out}.json`);
}

await main();
