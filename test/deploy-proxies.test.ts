/**
 * The load balancer configs in deploy/, checked offline with the real Debian binaries (`nginx -t`, `haproxy -c`;
 * scripts/ci-tools.sh installs them), their WebSocket and health-check settings read from the files, and HAProxy run
 * on loopback with the shipped backend in front of two real gateway processes.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxySection, parseHaproxyConfig, requireBinary, shippedHaproxyConfigPath, startLoadBalancer, type LoadBalancer } from './support/load-balancer.js';
import { listeningUrl, startProcess } from './support/process.js';
import { dropIsolation, isolation, testConfig } from './support/server.js';
import { TestSocket } from './support/ws.js';

const nginxConfPath = new URL('../deploy/nginx/gamev1.conf', import.meta.url).pathname;

function run(binary: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** A throwaway self-signed certificate: both configs load their TLS files when checked. */
function throwawayCertificate(dir: string): { cert: string; key: string; pem: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = run(requireBinary('openssl'), [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
  ]);
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate:\n${made.output}`);
  const pem = join(dir, 'chain-and-key.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { cert, key, pem };
}

/** Replaces each `from` path (which must occur) and nothing else. */
function substitutePaths(text: string, paths: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(paths)) {
    expect(out, `the config no longer mentions ${from}`).toContain(from);
    out = out.split(from).join(to);
  }
  return out;
}

// ---- nginx: a small parser for the block/directive syntax -------------------------------------------------------

interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

function parseNginx(text: string): NginxDirective[] {
  const tokens: string[] = [];
  const pattern = /\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/gy;
  while (pattern.lastIndex < text.length) {
    const match = pattern.exec(text);
    if (!match) throw new Error(`nginx config: cannot read at offset ${pattern.lastIndex}`);
    const [, double, single, punct, word] = match;
    const token = double ?? single ?? punct ?? word;
    if (token !== undefined) tokens.push(token);
  }
  let i = 0;
  const parseBlock = (nested: boolean): NginxDirective[] => {
    const directives: NginxDirective[] = [];
    while (i < tokens.length) {
      if (tokens[i] === '}') {
        if (!nested) throw new Error('nginx config: unbalanced }');
        i++;
        return directives;
      }
      const name = tokens[i++]!;
      const args: string[] = [];
      while (i < tokens.length && tokens[i] !== ';' && tokens[i] !== '{') args.push(tokens[i++]!);
      if (tokens[i] === '{') {
        i++;
        directives.push({ name, args, block: parseBlock(true) });
      } else {
        i++;
        directives.push({ name, args });
      }
    }
    if (nested) throw new Error('nginx config: missing }');
    return directives;
  };
  return parseBlock(false);
}

const all = (directives: NginxDirective[], name: string) => directives.filter((d) => d.name === name);
function one(directives: NginxDirective[], name: string, ...args: string[]): NginxDirective {
  const found = directives.filter((d) => d.name === name && args.every((arg, i) => d.args[i] === arg));
  if (found.length !== 1) throw new Error(`expected one \`${[name, ...args].join(' ')}\`, found ${found.length}`);
  return found[0]!;
}
/** `proxy_set_header` name -> value in one context (names are case-insensitive in HTTP). */
const headersOf = (directives: NginxDirective[]) =>
  new Map(all(directives, 'proxy_set_header').map((d) => [d.args[0]!.toLowerCase(), d.args[1] ?? '']));

/** nginx/HAProxy time values (`86400s`, `1h`, `50000ms`, bare numbers: seconds for nginx) in seconds. */
function seconds(value: string, bare: 's' | 'ms'): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`not a time value: ${value}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? bare] ?? 1;
  return Number(match[1]) * factor;
}

/** Everything this file writes (certificate, config copies, nginx prefixes), removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), 'gamev1-deploy-proxies-'));
let certs: { cert: string; key: string; pem: string };
beforeAll(() => {
  certs = throwawayCertificate(scratch);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('deploy/nginx/gamev1.conf', () => {
  const shipped = readFileSync(nginxConfPath, 'utf8');

  /** nginx -t on the file included in a minimal http {} (how the Debian nginx.conf includes conf.d and sites-enabled). */
  function nginxTest(site: string): { status: number | null; output: string } {
    const prefix = mkdtempSync(join(scratch, 'nginx-'));
    // Only the TLS files are swapped for the throwaway ones: nginx loads them when it checks the config.
    writeFileSync(join(prefix, 'gamev1.conf'), substitutePaths(site, {
      '/etc/ssl/certs/gamev1.crt': certs.cert,
      '/etc/ssl/private/gamev1.key': certs.key,
    }));
    // Temp paths and pid inside the prefix, else nginx wants /var/lib/nginx and /run (root-owned).
    writeFileSync(join(prefix, 'nginx.conf'), [
      'pid nginx.pid;',
      'error_log stderr warn;',
      'events {}',
      'http {',
      '    access_log off;',
      '    client_body_temp_path client_body_temp;',
      '    proxy_temp_path proxy_temp;',
      '    fastcgi_temp_path fastcgi_temp;',
      '    uwsgi_temp_path uwsgi_temp;',
      '    scgi_temp_path scgi_temp;',
      '    include gamev1.conf;',
      '}',
      '',
    ].join('\n'));
    return run(requireBinary('nginx'), ['-t', '-q', '-e', 'stderr', '-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf')]);
  }

  it('passes `nginx -t` as shipped, without warnings, inside an http {} block', () => {
    const result = nginxTest(shipped);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('is really checked: a broken directive fails `nginx -t`', () => {
    const broken = shipped.replace('least_conn;', 'least_connections;');
    expect(broken).not.toBe(shipped);
    const result = nginxTest(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unknown directive "least_connections"/);
  });

  it('upgrades /ws to WebSocket with long timeouts, on a least_conn upstream', () => {
    const http = parseNginx(shipped);
    // $connection_upgrade: "upgrade" when the client asks for it, "close" otherwise.
    const map = one(http, 'map', '$http_upgrade', '$connection_upgrade');
    expect(map.block?.map((d) => [d.name, ...d.args])).toEqual(expect.arrayContaining([['default', 'upgrade'], ['', 'close']]));

    const server = one(http, 'server');
    const ws = one(server.block!, 'location', '/ws').block!;
    expect(one(ws, 'proxy_http_version').args).toEqual(['1.1']);
    const wsHeaders = headersOf(ws);
    expect(wsHeaders.get('upgrade')).toBe('$http_upgrade');
    expect(wsHeaders.get('connection')).toBe('$connection_upgrade');
    // A location with its own proxy_set_header inherits none from the server: it must repeat the others.
    for (const [name, value] of headersOf(server.block!)) {
      if (name !== 'connection') expect(wsHeaders.get(name), `/ws must set ${name} too`).toBe(value);
    }
    // Idle WebSockets must outlive the gateway's heartbeat by far; nginx's default is 60 s.
    expect(seconds(one(ws, 'proxy_read_timeout').args[0]!, 's')).toBeGreaterThanOrEqual(3600);
    expect(seconds(one(ws, 'proxy_send_timeout').args[0]!, 's')).toBeGreaterThanOrEqual(3600);

    const target = one(ws, 'proxy_pass').args[0]!;
    const upstreamName = /^http:\/\/([^/:]+)$/.exec(target)?.[1];
    expect(upstreamName, `/ws proxy_pass ${target}`).toBeDefined();
    const upstream = one(http, 'upstream', upstreamName!).block!;
    expect(upstream[0]?.name, 'least_conn must come first (before keepalive)').toBe('least_conn');
    expect(all(upstream, 'server').length).toBeGreaterThanOrEqual(2);
    // Every route goes to the same upstream, health included.
    expect(one(server.block!, 'location', '=', '/healthz')).toBeDefined();
    for (const location of all(server.block!, 'location')) {
      expect(one(location.block!, 'proxy_pass').args[0], `location ${location.args.join(' ')}`).toBe(target);
    }
  });
});

describe('deploy/haproxy/haproxy.cfg', () => {
  const shipped = readFileSync(shippedHaproxyConfigPath, 'utf8');

  function haproxyCheck(text: string): { status: number | null; output: string } {
    const dir = mkdtempSync(join(scratch, 'haproxy-check-'));
    // Only the certificate path is swapped: HAProxy loads it while checking and it does not exist offline.
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, substitutePaths(text, { '/etc/ssl/certs/gamev1.pem': certs.pem }));
    return run(requireBinary('haproxy'), ['-c', '-f', file]);
  }

  it('passes `haproxy -c`, warning only that the example gateway names do not resolve here', () => {
    const result = haproxyCheck(shipped);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('Configuration file is valid');
    const warnings = result.output.split('\n').filter((line) => /\[(WARNING|ALERT)\]/.test(line));
    for (const warning of warnings) expect(warning).toMatch(/could not resolve address 'gateway\d+'/);
  });

  it('is really checked: a bad balance algorithm fails `haproxy -c`', () => {
    const result = haproxyCheck(shipped.replace('balance leastconn', 'balance leastconnections'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/balance only supports/);
  });

  it('balances leastconn, health-checks GET /healthz for 200, and tunnels WebSockets for an hour', () => {
    const sections = parseHaproxyConfig(shipped);
    const frontend = haproxySection(sections, 'frontend');
    const backendName = frontend.lines.find((line) => line.startsWith('default_backend '))?.split(/\s+/)[1];
    const backend = haproxySection(sections, 'backend', backendName).lines;
    expect(backend).toContain('balance leastconn');
    expect(backend).toContain('option httpchk');
    expect(backend).toContain('http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host gamev1');
    expect(backend).toContain('http-check expect status 200');
    const servers = backend.filter((line) => line.startsWith('server '));
    expect(servers.length).toBeGreaterThanOrEqual(2);
    for (const server of servers) expect(server.split(/\s+/)).toContain('check');
    // Names that do not resolve at startup are only ever resolved again through a resolvers section.
    const resolvers = /\bresolvers\s+(\S+)/.exec(backend.find((line) => line.startsWith('default-server ')) ?? '')?.[1];
    expect(resolvers, 'default-server names a resolvers section').toBeDefined();
    haproxySection(sections, 'resolvers', resolvers);

    const defaults = haproxySection(sections, 'defaults').lines;
    const timeout = (name: string) => seconds(defaults.find((line) => line.startsWith(`timeout ${name} `))?.split(/\s+/)[2] ?? 'missing', 'ms');
    // After the upgrade only `timeout tunnel` applies; the client/server ones (50 s) would cut idle sockets.
    expect(timeout('tunnel')).toBeGreaterThanOrEqual(3600);
    expect(timeout('client')).toBeLessThan(timeout('tunnel'));
    expect(defaults).toContain('option forwardfor');
    expect(defaults).toContain('option redispatch');
  });
});

describe('HAProxy on loopback (the shipped backend) in front of two gateway processes', () => {
  const scope = isolation();
  const children: ReturnType<typeof startProcess>[] = [];
  const nodes = new Map<string, string>();
  let lb: LoadBalancer | undefined;

  beforeAll(async () => {
    const jwtSecret = `lb-test-secret-${scope.schema}-0123456789abcdef`;
    const { DATABASE_URL, REDIS_URL } = process.env;
    if (DATABASE_URL) {
      // Both nodes would otherwise race to CREATE SCHEMA IF NOT EXISTS, which PostgreSQL can fail for one of them.
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${scope.schema}`);
      await client.end();
    }
    // Same JWT_SECRET on both: an access token from one node is accepted by the other (a stateless check). Shared
    // PostgreSQL/Redis when this run has them; otherwise each node is embedded, which is enough for routing.
    const env = (name: string) => ({
      ...(DATABASE_URL ? { DATABASE_URL } : { DATA_DIR: 'memory://' }),
      ...(REDIS_URL ? { REDIS_URL } : {}),
      DATABASE_SCHEMA: scope.schema,
      REDIS_KEY_PREFIX: scope.keyPrefix,
      OUTBOX_DIR: 'memory://',
      JWT_SECRET: jwtSecret,
      NODE_NAME: name,
      GATEWAY_BIND_ADDR: '127.0.0.1:0',
      LOG_LEVEL: 'info',
    });
    const started = await Promise.all(['node-a', 'node-b'].map(async (name) => {
      const child = startProcess(env(name));
      children.push(child);
      const { url, lines } = await listeningUrl(child);
      if (!url) throw new Error(`${name} did not start:\n${lines.join('\n')}`);
      return { name, url };
    }));
    for (const { name, url } of started) nodes.set(name, url);
    lb = await startLoadBalancer(started.map((node) => node.url), { inter: 200, fall: 2, rise: 1 });
  });

  afterAll(async () => {
    await lb?.stop();
    await Promise.all(children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }));
    await dropIsolation(testConfig({}, scope));
  });

  const healthNode = async (): Promise<{ status: number; node: string }> => {
    const response = await fetch(`${lb!.url}/healthz`);
    const text = await response.text();
    // HAProxy's own error pages are HTML: keep their start, so a failed expectation shows what came back.
    const node = text.startsWith('{') ? (JSON.parse(text) as { node: string }).node : text.slice(0, 80);
    return { status: response.status, node };
  };

  it('answers /healthz through HAProxy, spreading requests over both nodes', async () => {
    const servers = await lb!.servers();
    expect(servers.map((server) => [server.name, server.status]), JSON.stringify(servers)).toEqual([['gateway1', 'UP'], ['gateway2', 'UP']]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => healthNode()));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(new Set(answers.map((answer) => answer.node))).toEqual(new Set(nodes.keys()));
  }, 30_000);

  /** Open WebSockets a node itself reports (asked directly, not through the load balancer). */
  const activeConnections = async (name: string): Promise<number> => {
    const text = await (await fetch(`${nodes.get(name)}/metrics`)).text();
    return Number(/^gamev1_connections_active\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? NaN);
  };

  it('upgrades /ws through HAProxy for guests whose token came through it, spreading sockets by leastconn', async () => {
    // Two players: one player's newer connection replaces the older one (session claim), which would hide the spread.
    const guests = await Promise.all(['Ann', 'Bob'].map(async (name) => {
      const response = await fetch(`${lb!.url}/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ display_name: name }),
      });
      expect(response.status).toBe(201);
      return { name, ...((await response.json()) as { access_token: string; player: { id: string } }) };
    }));

    const sockets: TestSocket[] = [];
    try {
      // One after the other: HAProxy's threads pick a server for two simultaneous upgrades before either counts.
      for (const { name, access_token: token, player } of guests) {
        const socket = await TestSocket.open(lb!.url);
        sockets.push(socket);
        socket.send({ type: 'auth', token });
        // The server's first message after auth, through the tunnel, whichever node the socket landed on.
        expect(await socket.next('auth_ok')).toMatchObject({ player_id: player.id, display_name: name, is_guest: true });
      }
      // leastconn: two long-lived sockets on two idle nodes go one to each, as both HAProxy and the nodes see it.
      await expect.poll(async () => (await lb!.servers()).map((server) => server.sessions), { timeout: 5_000, interval: 50 }).toEqual([1, 1]);
      expect(await Promise.all([...nodes.keys()].map(activeConnections))).toEqual([1, 1]);
    } finally {
      for (const socket of sockets) socket.close();
    }
  }, 30_000);

  it('takes a SIGKILLed node out by health check and keeps serving from the other', async () => {
    const victim = children[0]!;
    const exited = once(victim, 'exit');
    victim.kill('SIGKILL');
    await exited;
    // Until the checks notice, retries + redispatch already send each request to the live node.
    const during = await Promise.all(Array.from({ length: 4 }, () => healthNode()));
    expect(during).toEqual(Array.from({ length: 4 }, () => ({ status: 200, node: 'node-b' })));

    await expect.poll(async () => (await lb!.servers()).find((server) => server.name === 'gateway1')?.status, { timeout: 10_000, interval: 50 }).toBe('DOWN');
    const after = await Promise.all(Array.from({ length: 10 }, () => healthNode()));
    expect(after).toEqual(Array.from({ length: 10 }, () => ({ status: 200, node: 'node-b' })));
    // And a new WebSocket still upgrades.
    const socket = await TestSocket.open(lb!.url);
    try {
      socket.send({ type: 'auth', player_name: 'After failover' });
      expect(await socket.next('auth_ok')).toMatchObject({ display_name: 'After failover', is_guest: true });
    } finally {
      socket.close();
    }
  }, 30_000);
});
