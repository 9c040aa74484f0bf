/**
 * The real HAProxy on loopback in front of gateway processes, configured from the shipped deploy/haproxy/haproxy.cfg
 * (same defaults, frontend rules and backend options; only addresses and health-check pace differ), for integration
 * tests that need a load balancer: routing, WebSocket upgrade through a proxy, failover when a node dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './process.js';

export const shippedHaproxyConfigPath = new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url).pathname;

/**
 * The absolute path of a tool CI installs with scripts/ci-tools.sh, or a clear error. Also looks in the sbin
 * folders, where Debian puts nginx and haproxy but a non-root PATH often does not reach.
 */
export function requireBinary(name: 'nginx' | 'haproxy' | 'openssl'): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next folder.
    }
  }
  throw new Error(`${name} is not installed (looked in PATH and the sbin folders): run \`bash scripts/ci-tools.sh\` (as root), which installs nginx, haproxy and openssl from the Debian packages`);
}

export interface HaproxySection {
  /** `global`, `defaults`, `frontend`, `backend`, `listen`, `resolvers`, … */
  keyword: string;
  name: string;
  /** The section's directives, trimmed, comments and blank lines removed. */
  lines: string[];
}

/** HAProxy's layout: a section keyword at column 0, its directives indented below it. */
export function parseHaproxyConfig(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (line.trim() === '') continue;
    if (/^\S/.test(line)) {
      const [keyword = '', name = ''] = line.trim().split(/\s+/);
      sections.push({ keyword, name, lines: [] });
    } else {
      const current = sections.at(-1);
      if (!current) throw new Error(`haproxy config: directive outside a section: ${raw}`);
      current.lines.push(line.trim());
    }
  }
  return sections;
}

export function haproxySection(sections: HaproxySection[], keyword: string, name?: string): HaproxySection {
  const found = sections.find((section) => section.keyword === keyword && (name === undefined || section.name === name));
  if (!found) throw new Error(`haproxy config has no \`${keyword}${name ? ` ${name}` : ''}\` section`);
  return found;
}

export interface LoadBalancerOptions {
  /** Health-check interval in ms (shipped: 5 s). */
  inter?: number;
  /** Failed checks before a server is taken out (shipped: 3). */
  fall?: number;
  /** Passed checks before it is put back (shipped: 2). */
  rise?: number;
  /** How long a check may wait for the answer, in ms: a busy test machine can take longer than `inter`. */
  checkTimeout?: number;
}

export interface BackendServer {
  /** `gateway1`, `gateway2`, … in the order the backends were given. */
  name: string;
  /** `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/1` (coming up), `MAINT`, … */
  status: string;
  /** Current sessions on the server (open WebSockets count). */
  sessions: number;
  /** The last health check's result, e.g. `L7OK`, `L4CON`; `INI` before the first one. */
  check: string;
}

export interface LoadBalancer {
  /** http://127.0.0.1:<port> of the frontend. */
  url: string;
  /** The generated haproxy.cfg it runs. */
  config: string;
  /** The backend servers as HAProxy sees them now (its stats page). */
  servers(): Promise<BackendServer[]>;
  stop(): Promise<void>;
}

/**
 * The shipped config with loopback addresses: the `global` section is ours (no daemon, user switch or syslog: a
 * child of the test), `defaults`, `frontend` and `backend` are the shipped ones with their `bind`/`server` lines
 * replaced and faster health checks, and `listen stats` is rebound for `servers()`.
 */
export function loopbackHaproxyConfig(
  shipped: string,
  ports: { frontend: number; stats: number },
  backends: string[],
  options: LoadBalancerOptions = {},
): string {
  const { inter = 200, fall = 2, rise = 1, checkTimeout = 2_000 } = options;
  const sections = parseHaproxyConfig(shipped);
  const defaults = haproxySection(sections, 'defaults');
  const frontend = haproxySection(sections, 'frontend');
  const defaultBackend = frontend.lines.find((line) => line.startsWith('default_backend '))?.split(/\s+/)[1];
  if (!defaultBackend) throw new Error('haproxy config: the frontend has no default_backend');
  const backend = haproxySection(sections, 'backend', defaultBackend);
  const stats = haproxySection(sections, 'listen', 'stats');

  const servers = backends.map((address, i) => {
    const url = new URL(address);
    if (url.protocol !== 'http:' || !url.port) throw new Error(`load balancer backend must be http://host:port, got ${address}`);
    return `server gateway${i + 1} ${url.hostname}:${url.port} check`;
  });
  const backendLines = backend.lines
    .filter((line) => !line.startsWith('server '))
    .map((line) => {
      if (!line.startsWith('default-server ')) return line;
      // Loopback IPs need no DNS; the fast pace lets a test see a dead node taken out within a second.
      return line
        .replace(/\s+resolvers\s+\S+/, '')
        .replace(/\binter\s+\S+/, `inter ${inter}`)
        .replace(/\bfall\s+\d+/, `fall ${fall}`)
        .replace(/\brise\s+\d+/, `rise ${rise}`);
    });
  const block = (header: string, lines: string[]) => [header, ...lines.map((line) => `    ${line}`)].join('\n');
  return [
    block('global', ['maxconn 4096']),
    block('defaults', defaults.lines.filter((line) => !/^log\b/.test(line) && !/^option\s+(httplog|dontlognull)\b/.test(line))),
    block(`frontend ${frontend.name}`, [`bind 127.0.0.1:${ports.frontend}`, ...frontend.lines.filter((line) => !line.startsWith('bind '))]),
    block(`backend ${backend.name}`, [...backendLines, `timeout check ${checkTimeout}`, ...servers]),
    block('listen stats', [`bind 127.0.0.1:${ports.stats}`, ...stats.lines.filter((line) => !line.startsWith('bind '))]),
    '',
  ].join('\n');
}

/** Parses HAProxy's stats CSV (`# pxname,svname,…` header) into the backend's servers. */
function parseStats(csv: string, backend: string): BackendServer[] {
  const [header = '', ...rows] = csv.trim().split('\n');
  const columns = header.replace(/^#\s*/, '').split(',');
  const column = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`haproxy stats CSV has no ${name} column`);
    return index;
  };
  const [px, sv, scur, status, check] = ['pxname', 'svname', 'scur', 'status', 'check_status'].map(column) as [number, number, number, number, number];
  return rows
    .map((row) => row.split(','))
    .filter((cells) => cells[px] === backend && cells[sv] !== 'BACKEND' && cells[sv] !== 'FRONTEND')
    .map((cells) => ({
      name: cells[sv] ?? '',
      status: cells[status] ?? '',
      sessions: Number(cells[scur] ?? 0),
      // A leading `* ` marks a check still in progress.
      check: (cells[check] ?? '').replace(/^\*/, '').trim(),
    }));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts HAProxy in the foreground on 127.0.0.1:<free port> in front of `backends` (http://127.0.0.1:port each) and
 * resolves once it accepts connections and has health-checked every backend once, so the first request already
 * sees which are up.
 */
export async function startLoadBalancer(backends: string[], options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  const haproxy = requireBinary('haproxy');
  const shipped = readFileSync(shippedHaproxyConfigPath, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'gamev1-haproxy-'));
  let lastError = '';
  // A port freePort() saw free may be taken before HAProxy binds it: try again with new ports.
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports = { frontend: await freePort(), stats: await freePort() };
    const config = loopbackHaproxyConfig(shipped, ports, backends, options);
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config);
    const child = spawn(haproxy, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    let running = true;
    void exited.then(() => (running = false));

    const statsUrl = `http://127.0.0.1:${ports.stats}/stats;csv`;
    const backendName = haproxySection(parseHaproxyConfig(config), 'backend').name;
    const servers = async () => parseStats(await (await fetch(statsUrl)).text(), backendName);
    const deadline = Date.now() + 10_000;
    while (running && Date.now() < deadline) {
      try {
        const seen = await servers();
        // Settled: every server checked at least once and not between states (`UP 1/2` is going down).
        const settled = (server: BackendServer) => server.check !== 'INI' && server.check !== '' && (server.status === 'UP' || server.status === 'DOWN');
        if (seen.length === backends.length && seen.every(settled)) {
          return { url: `http://127.0.0.1:${ports.frontend}`, config, servers, stop: () => stopProcess(child, dir) };
        }
      } catch {
        // Not listening yet.
      }
      await pause(25);
    }
    await stopProcess(child, undefined);
    lastError = output.trim();
    if (!/cannot bind socket|Address already in use/i.test(lastError)) break;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`haproxy did not come up in front of ${backends.join(', ')}:\n${lastError}`);
}

async function stopProcess(child: ChildProcess, dir: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
