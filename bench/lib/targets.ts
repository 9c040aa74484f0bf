import { appendFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsxLoader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href;

export type TargetName = 'gamev1' | 'gamev1-ws' | 'colyseus' | 'colyseus-uws' | 'floor-uws' | 'floor-ws' | 'floor-net';

/** A server under test, started as its own process so its CPU and memory can be measured alone. */
export interface TargetServer {
  name: TargetName;
  url: string;
  pid: number;
  createRooms(count: number, maxPlayers: number): Promise<string[]>;
  /** Prometheus text with gamev1_tick_duration_seconds (every target exposes it). */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  tickRate: number;
  maxPlayersPerRoom: number;
  /** GameV1's WORKERS: server processes sharing the port (1: a single process). */
  workers?: number;
}

/** Set BENCH_CPU_PROFILE=dir to write a V8 CPU profile of the server under test (open in Chrome DevTools). */
const profileArgs = [
  ...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : []),
  ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
];

const serverLog = process.env.BENCH_SERVER_LOG;

/** `ready` matches the log line that says the server serves, with its URL as the first group. */
function launch(script: string, env: Record<string, string>, ready = /listening on (http:\/\/[\d.]+:\d+)/): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...profileArgs, '--import', tsxLoader, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (serverLog) appendFileSync(serverLog, line + '\n');
      const match = ready.exec(line);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A POST on a fresh TCP connection: the server's processes take new connections in turn, so rooms spread. */
function postOnNewConnection<T>(url: string, token: string, body: unknown): Promise<T> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(JSON.parse(text) as T) : reject(new Error(`POST ${url}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
}

/** GameV1 on uWebSockets.js (target gamev1) or on `ws` (gamev1-ws). */
export async function startGameV1(options: TargetOptions, transport: 'uws' | 'ws' = 'uws'): Promise<TargetServer> {
  const workers = options.workers ?? 1;
  const { child, url } = await launch('src/main.ts', {
    GATEWAY_BIND_ADDR: '127.0.0.1:0',
    WORKERS: String(workers),
    // GameV1 refuses uws with WORKERS > 1 (a uWS socket cannot move to the process of its room): auto, which picks ws there.
    WS_TRANSPORT: transport === 'uws' && workers > 1 ? 'auto' : transport,
    TICK_RATE: String(options.tickRate),
    SNAPSHOT_RATE: String(options.tickRate),
    MAX_CONNECTIONS: '1000000',
    MAX_CONNECTIONS_PER_ROOM: String(Math.max(options.maxPlayersPerRoom, 1)),
    // A formed match must fit in one room (checked at start-up).
    MIN_PLAYERS_PER_MATCH: '1',
    MAX_PLAYERS_PER_MATCH: String(Math.max(options.maxPlayersPerRoom, 1)),
    WS_MESSAGE_RATE: '1000',
    ENABLE_RATE_LIMITING: 'false',
    TIME_LIMIT: '86400',
    // Rooms are created up front for the whole ramp; they must not be disposed while they wait for bots.
    EMPTY_ROOM_TIMEOUT: '86400',
    SCORE_LIMIT: '100000',
    DATA_DIR: process.env.DATABASE_URL ? './data' : 'memory://',
    LOG_LEVEL: 'info',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
  }, workers > 1 ? /listening on (http:\/\/[\d.]+:\d+) with \d+ worker processes/ : undefined);
  const { access_token: token } = await json<{ access_token: string }>(`${url}/auth/guest`, { method: 'POST' });
  return {
    name: transport === 'uws' ? 'gamev1' : 'gamev1-ws',
    url,
    pid: child.pid!,
    async createRooms(count, maxPlayers) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const room = await postOnNewConnection<{ room_id: string }>(`${url}/api/rooms/create`, token, {
          room_name: `bench-${i}`,
          game_mode: 'deathmatch',
          max_players: maxPlayers,
        });
        ids.push(room.room_id);
      }
      return ids;
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: stopper(child),
  };
}

/** The Colyseus peer on its `ws` transport (target colyseus) or its uWebSockets.js one (colyseus-uws). */
export async function startColyseus(transport: 'ws' | 'uws', options: TargetOptions): Promise<TargetServer> {
  const { child, url } = await launch('bench/peers/colyseus/server.ts', { TICK_RATE: String(options.tickRate), PORT: '0', COLYSEUS_TRANSPORT: transport });
  return {
    name: transport === 'ws' ? 'colyseus' : 'colyseus-uws',
    url,
    pid: child.pid!,
    async createRooms(count, maxPlayers) {
      return (await json<{ rooms: string[] }>(`${url}/bench/rooms?count=${count}&maxClients=${maxPlayers}`, { method: 'POST' })).rooms;
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: stopper(child),
  };
}

/** GameV1's protocol with no game behind it (bench/floor): what moving the same frames costs by itself. */
export async function startFloor(transport: 'uws' | 'ws' | 'net', options: TargetOptions): Promise<TargetServer> {
  const { child, url } = await launch('bench/floor/server.ts', { TICK_RATE: String(options.tickRate), PORT: '0', FLOOR_TRANSPORT: transport });
  return {
    name: `floor-${transport}`,
    url,
    pid: child.pid!,
    // Rooms come into being when the first bot joins them.
    createRooms: async (count) => Array.from({ length: count }, (_, i) => `floor-room-${i}`),
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: stopper(child),
  };
}

export const startTarget: Record<TargetName, (options: TargetOptions) => Promise<TargetServer>> = {
  gamev1: (options) => startGameV1(options, 'uws'),
  'gamev1-ws': (options) => startGameV1(options, 'ws'),
  colyseus: (options) => startColyseus('ws', options),
  'colyseus-uws': (options) => startColyseus('uws', options),
  'floor-uws': (options) => startFloor('uws', options),
  'floor-ws': (options) => startFloor('ws', options),
  'floor-net': (options) => startFloor('net', options),
};
