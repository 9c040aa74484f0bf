/**
 * The systemd units in deploy/systemd and scripts/deploy-alpha.sh, checked offline: every unit parsed (a small INI
 * reader) and its role, pinned settings and shutdown budget checked; the environment each unit gives the process
 * (EnvironmentFile built like the deploy script builds .env.production, then the unit's env(1) overrides) accepted
 * by the real config loader; units that would share a port conflict, units of one layout do not;
 * `systemd-analyze verify` when this machine can run it; and the deploy script's dry run for each layout, with
 * every command that could change the machine replaced by a stub that records its calls.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, envExample, loadConfig, type Config } from '../src/config/index.js';

const root = new URL('..', import.meta.url).pathname;
const unitDir = join(root, 'deploy/systemd');
const script = join(root, 'scripts/deploy-alpha.sh');

const ENTRY = '/opt/gamev1/dist/main.js';
const HOST = 'gamehost'; // %H in the samples
const ENV_FILE = '/opt/gamev1/.env.production';

// ---------------------------------------------------------------------------------------------------------------
// a small systemd unit reader

type Unit = Record<string, Record<string, string[]>>;

/** Sections of key = values (a key may repeat); comments and blank lines skipped, `\` continues a line. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) throw new Error(`line ${index + 1} is neither a section nor key=value: ${raw}`);
    (section[line.slice(0, eq).trim()] ??= []).push(line.slice(eq + 1).trim());
  });
  return unit;
}

/** The one value of a key (the last one, as systemd reads most keys). */
function value(unit: Unit, section: string, key: string): string | undefined {
  return unit[section]?.[key]?.at(-1);
}

/** Replaces the specifiers the units use; `%%` is a literal percent. */
function expand(text: string, instance: string): string {
  return text.replace(/%([%iIH])/g, (_, spec: string) => (spec === '%' ? '%' : spec === 'H' ? HOST : instance));
}

interface Exec {
  /** KEY=VALUE set through env(1) before node: these win over EnvironmentFile=. */
  overrides: Record<string, string>;
  node: string;
  script: string;
  args: string[];
}

function parseExecStart(line: string): Exec {
  expect(line, 'ExecStart is split on spaces here: keep it free of quotes').not.toMatch(/["']/);
  const words = line.split(/\s+/);
  const overrides: Record<string, string> = {};
  let i = 0;
  if (words[0] === '/usr/bin/env') {
    for (i = 1; i < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[i]!); i++) {
      const word = words[i]!;
      overrides[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
    }
  }
  return { overrides, node: words[i]!, script: words[i + 1]!, args: words.slice(i + 2) };
}

/** `Environment=A=1 B=2` lines, split into pairs. */
function environment(unit: Unit): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const line of unit.Service?.Environment ?? []) {
    for (const word of line.split(/\s+/)) pairs[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------------------------
// the shipped units

const files = readdirSync(unitDir).filter((name) => name.endsWith('.service')).sort();
const units = new Map(files.map((file) => [file, parseUnit(readFileSync(join(unitDir, file), 'utf8'))]));

const ROLE_OF: Record<string, 'all' | 'gateway' | 'worker'> = {
  'gamev1.service': 'all',
  'gamev1@.service': 'all',
  'gamev1-gateway.service': 'gateway',
  'gamev1-gateway@.service': 'gateway',
  'gamev1-worker.service': 'worker',
  'gamev1-worker@.service': 'worker',
};
/** A sample instance per template, within its documented range. */
const SAMPLE_INSTANCE: Record<string, string> = { 'gamev1@.service': '3001', 'gamev1-gateway@.service': '3001', 'gamev1-worker@.service': '3101' };

/** Node's own variables, not GameV1 settings. */
const NODE_RUNTIME_KEYS = new Set(['NODE_ENV', 'NODE_OPTIONS']);
const settings = Object.values(SETTINGS as unknown as Record<string, Record<string, { env: string; default: string }>>).flatMap((section) =>
  Object.values(section),
);
const SETTING_KEYS = new Set(settings.map((setting) => setting.env));
const SHUTDOWN_TIMEOUT_DEFAULT = Number(settings.find((setting) => setting.env === 'SHUTDOWN_TIMEOUT')!.default);

/** "unit@instance.service" or "unit.service" -> its file and instance. */
function unitOf(name: string): { file: string; instance: string; unit: Unit } {
  const match = /^([^@]+)@([^.]*)\.service$/.exec(name);
  const file = match ? `${match[1]}@.service` : name;
  const unit = units.get(file);
  if (!unit) throw new Error(`no unit file for ${name}`);
  return { file, instance: match?.[2] ?? '', unit };
}

/**
 * /opt/gamev1/.env.production as deploy-alpha.sh creates it: .env.example, a JWT_SECRET, TRUST_PROXY=true and
 * GATEWAY_BIND_ADDR=127.0.0.1:3000, plus the shared backends a split layout needs.
 */
function envProduction(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...parseDotenv(envExample()),
    JWT_SECRET: 'x'.repeat(64),
    TRUST_PROXY: 'true',
    GATEWAY_BIND_ADDR: '127.0.0.1:3000',
    REDIS_URL: 'redis://127.0.0.1:6379',
    DATABASE_URL: 'postgres://x@127.0.0.1/x',
    ...extra,
  };
}

const emptyDir = mkdtempSync(join(tmpdir(), 'gamev1-systemd-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

/** What the process of `name` (e.g. gamev1-worker@3101.service) is configured with: Environment= < EnvironmentFile= < env(1). */
function configOf(name: string, file: Record<string, string> = envProduction()): Config {
  const { unit, instance } = unitOf(name);
  const exec = parseExecStart(expand(value(unit, 'Service', 'ExecStart')!, instance));
  return loadConfig({ env: { ...environment(unit), ...file, ...exec.overrides }, argv: exec.args, cwd: emptyDir, warn: () => {} });
}

function conflicts(name: string): Set<string> {
  const { unit, instance } = unitOf(name);
  return new Set((unit.Unit?.Conflicts ?? []).flatMap((line) => expand(line, instance).split(/\s+/)));
}
const conflictBetween = (a: string, b: string) => conflicts(a).has(b) || conflicts(b).has(a);

describe('deploy/systemd units', () => {
  it('ships an all-in-one, a gateway and a worker unit, each also as a per-port template', () => {
    expect(files).toEqual(Object.keys(ROLE_OF).sort());
  });

  describe.each(files)('%s', (file) => {
    const unit = units.get(file)!;
    const role = ROLE_OF[file]!;
    const instance = SAMPLE_INSTANCE[file] ?? '';
    const name = instance ? file.replace('@', `@${instance}`) : file;
    const exec = () => parseExecStart(expand(value(unit, 'Service', 'ExecStart')!, instance));

    it(`runs ${ENTRY} --role ${role} as gamev1`, () => {
      expect(unit.Service?.ExecStart).toHaveLength(1);
      const { node, script: entry, args } = exec();
      expect(node).toBe('/usr/bin/node'); // deploy-alpha.sh rewrites this path when node lives elsewhere
      expect(entry).toBe(ENTRY);
      expect(args).toEqual(['--role', role]);
      expect(value(unit, 'Service', 'User')).toBe('gamev1');
      expect(value(unit, 'Service', 'WorkingDirectory')).toBe('/opt/gamev1');
      expect(unit.Service?.EnvironmentFile).toEqual([ENV_FILE]);
    });

    it('restarts always and stops a little after SHUTDOWN_TIMEOUT', () => {
      expect(value(unit, 'Service', 'Restart')).toBe('always');
      expect(value(unit, 'Service', 'KillSignal')).toBe('SIGTERM');
      const stop = /^(\d+)s?$/.exec(value(unit, 'Service', 'TimeoutStopSec') ?? '');
      expect(stop, 'TimeoutStopSec in seconds').not.toBeNull();
      expect(Number(stop![1])).toBeGreaterThan(SHUTDOWN_TIMEOUT_DEFAULT);
    });

    it('keeps the hardening of the other units', () => {
      const service = unit.Service!;
      for (const [key, expected] of Object.entries({
        NoNewPrivileges: 'true',
        PrivateTmp: 'true',
        ProtectSystem: 'strict',
        ProtectHome: 'true',
        PrivateDevices: 'true',
        RestrictSUIDSGID: 'true',
        CapabilityBoundingSet: '',
        LimitNOFILE: '65536',
        MemoryMax: '1G',
      })) {
        expect(service[key]?.at(-1), key).toBe(expected);
      }
      // DATA_DIR and OUTBOX_DIR default to ./data and ./outbox under WorkingDirectory.
      expect(value(unit, 'Service', 'ReadWritePaths')!.split(/\s+/)).toEqual(
        expect.arrayContaining(['/opt/gamev1/logs', '/opt/gamev1/data', '/opt/gamev1/outbox']),
      );
      expect(value(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
    });

    it('sets only keys of the settings table (besides Node’s own)', () => {
      const keys = [...Object.keys(environment(unit)), ...Object.keys(exec().overrides)];
      expect(keys.filter((key) => !NODE_RUNTIME_KEYS.has(key) && !SETTING_KEYS.has(key))).toEqual([]);
    });

    it('is a configuration the loader accepts, with the role and addresses it promises', () => {
      let config: Config;
      try {
        config = configOf(name);
      } catch (error) {
        throw error instanceof ConfigError ? new Error(`${name}: ${error.message}`) : error;
      }
      expect(config.server.role).toBe(role);
      expect(config.server.workers).toBe(1);
      if (role === 'worker') {
        const overrides = exec().overrides;
        expect(overrides.WORKER_GRPC_ADDR).toMatch(/^0\.0\.0\.0:\d+$/);
        expect(config.server.workerGrpcAddr).toBeDefined();
        // Players connect to a worker directly: every interface, and an announced URL on that port.
        expect(config.server.bindAddr.host).toBe('0.0.0.0');
        const announced = new URL(config.server.publicUrl!);
        expect(announced.hostname).toBe(HOST);
        expect(Number(announced.port)).toBe(config.server.bindAddr.port);
        expect(config.server.workerGrpcAddr!.port).not.toBe(config.server.bindAddr.port);
        expect(config.server.nodeName).toContain(HOST);
        expect(config.server.trustProxy).toBe(false); // not behind nginx
        expect(config.monitoring.metricsAddr).toBeUndefined();
      } else {
        expect(exec().overrides.WORKER_GRPC_ADDR ?? '', 'a gateway or all-in-one node serves no Worker API here').toBe('');
        expect(config.server.workerGrpcAddr).toBeUndefined();
        expect(config.server.bindAddr.host).toBe('127.0.0.1'); // behind nginx on this host
      }
      if (instance) expect(String(config.server.bindAddr.port)).toBe(instance);
    });

    if (role !== 'all') {
      it('pins what its role needs against a shared .env.production set up for another role', () => {
        const hostile = envProduction({ WORKERS: '0', WORKER_GRPC_ADDR: '0.0.0.0:50099', METRICS_ADDR: '0.0.0.0:9090', ROLE: 'all' });
        const config = configOf(name, hostile);
        expect(config.server.role).toBe(role);
        expect(config.server.workers).toBe(1);
        if (role === 'gateway') expect(config.server.workerGrpcAddr).toBeUndefined();
        else expect(config.server.workerGrpcAddr?.port).not.toBe(50099);
      });
    }
  });

  it('worker template ports stay valid over the documented instance range 3100-3199', () => {
    for (const port of ['3100', '3150', '3199']) {
      const config = configOf(`gamev1-worker@${port}.service`);
      expect(config.server.bindAddr.port).toBe(Number(port));
      expect(config.server.workerGrpcAddr!.port).toBe(Number(`5${port}`));
    }
    expect(configOf('gamev1-worker.service').server.workerGrpcAddr!.port).toBe(50051); // the port the alpha release guide names
  });

  const LAYOUTS: Record<string, string[]> = {
    'all-in-one': ['gamev1.service'],
    'all-in-one, per port': ['gamev1@3000.service', 'gamev1@3001.service', 'gamev1@3002.service'],
    split: ['gamev1-gateway.service', 'gamev1-worker.service'],
    'split, per port': ['gamev1-gateway@3000.service', 'gamev1-gateway@3001.service', 'gamev1-worker@3100.service', 'gamev1-worker@3101.service'],
  };

  it.each(Object.entries(LAYOUTS))('%s: its units run side by side (distinct ports and names, no Conflicts=)', (_, layout) => {
    const configs = layout.map((name) => configOf(name));
    const ports = configs.flatMap((config) => [config.server.bindAddr.port, ...(config.server.workerGrpcAddr ? [config.server.workerGrpcAddr.port] : [])]);
    expect(new Set(ports).size).toBe(ports.length);
    const names = configs.map((config) => config.server.nodeName);
    expect(new Set(names).size).toBe(names.length);
    for (const a of layout) for (const b of layout) if (a !== b) expect(conflictBetween(a, b), `${a} / ${b}`).toBe(false);
  });

  it('units of different layouts that would share a port conflict', () => {
    const everyUnit = [...new Set(Object.values(LAYOUTS).flat())];
    const portsOf = (name: string) => {
      const { server } = configOf(name);
      return [server.bindAddr.port, ...(server.workerGrpcAddr ? [server.workerGrpcAddr.port] : [])];
    };
    const sharing: string[] = [];
    for (const a of everyUnit) {
      for (const b of everyUnit) {
        if (a >= b || !portsOf(a).some((port) => portsOf(b).includes(port))) continue;
        sharing.push(`${a} / ${b}`);
        expect(conflictBetween(a, b), `${a} and ${b} share a port`).toBe(true);
      }
    }
    expect(sharing).toContain('gamev1-gateway.service / gamev1.service');
    expect(sharing).toContain('gamev1-gateway@3000.service / gamev1@3000.service');
    expect(conflictBetween('gamev1-worker.service', 'gamev1-worker@3100.service')).toBe(true);
  });

  it('pass systemd-analyze verify (when this machine can run it)', () => {
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.error) return; // not installed
    const dir = mkdtempSync(join(tmpdir(), 'gamev1-verify-'));
    try {
      // A known-good unit first: where verify itself cannot work (no systemd in a container...), skip.
      writeFileSync(join(dir, 'probe.service'), '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n');
      const probe = spawnSync('systemd-analyze', ['verify', join(dir, 'probe.service')], { encoding: 'utf8', timeout: 10_000 });
      if (probe.status !== 0 || `${probe.stdout}${probe.stderr}`.trim() !== '') return;
      // As deploy-alpha.sh installs them: node where this machine has it.
      for (const file of files) {
        const text = readFileSync(join(unitDir, file), 'utf8').replaceAll('/usr/bin/node ', `${process.execPath} `);
        writeFileSync(join(dir, file), text);
      }
      const targets = files.map((file) => join(dir, SAMPLE_INSTANCE[file] ? file.replace('@', `@${SAMPLE_INSTANCE[file]}`) : file));
      const result = spawnSync('systemd-analyze', ['verify', ...targets], { encoding: 'utf8', timeout: 10_000 });
      const ours = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((line) => line.includes(dir) || /gamev1/.test(line));
      expect({ status: result.status, messages: ours }).toEqual({ status: 0, messages: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// scripts/deploy-alpha.sh

/** Commands the script may run to change the machine; in a dry run each must only be printed, never run. */
const STUBBED = ['apt-get', 'useradd', 'rsync', 'mkdir', 'chown', 'chmod', 'install', 'sed', 'cp', 'mv', 'ln', 'rm', 'npm', 'systemctl', 'nginx', 'openssl'];

function stubDir(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gamev1-deploy-'));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const name of STUBBED) {
    const path = join(dir, name);
    // Read-only probes answer; anything else is recorded (and fails the test).
    writeFileSync(
      path,
      `#!/bin/sh
printf '%s\\n' "${name} $*" >>'${log}'
case "${name} $1" in
  "npm --version") echo 10.0.0 ;;
  "systemctl is-enabled") exit 1 ;;
esac
exit 0
`,
    );
    chmodSync(path, 0o755);
  }
  return { dir, log };
}

function dryRun(...args: string[]): { status: number | null; output: string; calls: string[] } {
  const { dir, log } = stubDir();
  try {
    const result = spawnSync('bash', [script, '--dry-run', ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    });
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    return { status: result.status, output: `${result.stdout}${result.stderr}`, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The printed commands (`    + cmd ...`), unquoted enough to compare. */
const printed = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('    + '))
    .map((line) => line.slice(6).replace(/\\/g, ''));
const enabled = (output: string) => {
  const line = printed(output).find((command) => command.startsWith('systemctl enable '));
  return line?.slice('systemctl enable '.length).split(' ') ?? [];
};
const upstream = (output: string) => /upstream 127\.0\.0\.1:\{([^}]*)\}/.exec(output)?.[1]?.split(' ') ?? [];
const ALL_UNIT_FILES = Object.keys(ROLE_OF);
const existingEnv = existsSync(ENV_FILE); // a host GameV1 is deployed on: the single node's port comes from it

describe('scripts/deploy-alpha.sh', () => {
  it('parses (bash -n)', () => {
    const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  const cases: { args: string[]; enable: string[]; upstream: string[]; publicHost?: string }[] = [
    { args: [], enable: ['gamev1'], upstream: ['3000'] },
    { args: ['--nodes', '3'], enable: ['gamev1@3000', 'gamev1@3001', 'gamev1@3002'], upstream: ['3000', '3001', '3002'] },
    { args: ['--workers', '1'], enable: ['gamev1-gateway', 'gamev1-worker'], upstream: ['3000'] },
    {
      args: ['--gateways', '2', '--workers', '3', '--public-host', 'play.example.com'],
      enable: ['gamev1-gateway@3000', 'gamev1-gateway@3001', 'gamev1-worker@3100', 'gamev1-worker@3101', 'gamev1-worker@3102'],
      upstream: ['3000', '3001'],
      publicHost: 'play.example.com',
    },
    { args: ['--workers=1', '--domain', 'games.example.org'], enable: ['gamev1-gateway', 'gamev1-worker'], upstream: ['3000'], publicHost: 'games.example.org' },
  ];

  it.each(cases)('--dry-run $args: installs every unit, enables $enable, nginx on the gateways only, changes nothing', (c) => {
    const { status, output, calls } = dryRun(...c.args);
    expect(status, output).toBe(0);
    expect(output).toContain('GameV1 deploy (dry run): nothing is changed.');
    expect(output).toContain('Dry run finished: nothing was changed.');

    // Nothing ran but read-only probes.
    expect(calls.filter((call) => call !== 'npm --version' && !call.startsWith('systemctl is-enabled '))).toEqual([]);

    const commands = printed(output);
    for (const file of ALL_UNIT_FILES) {
      expect(commands).toContain(`install -m 0644 /opt/gamev1/deploy/systemd/${file} /etc/systemd/system/${file}`);
    }
    expect(commands).toContain('systemctl daemon-reload');
    expect(enabled(output)).toEqual(c.enable);
    for (const name of c.enable) unitOf(`${name}.service`); // each is a shipped unit or an instance of one
    expect(commands.some((command) => command.startsWith('systemctl start'))).toBe(false);

    const front = upstream(output);
    if (existingEnv && c.upstream.length === 1) expect(front).toHaveLength(1);
    else expect(front).toEqual(c.upstream);
    expect(front.some((port) => port.startsWith('31')), 'workers are not behind nginx').toBe(false);

    const rewrites = commands.filter((command) => command.includes('PUBLIC_URL='));
    if (c.publicHost) {
      expect(rewrites).toEqual(
        ['gamev1-worker.service', 'gamev1-worker@.service'].map(
          (file) => `sed -i /^ExecStart=/s#PUBLIC_URL=http://%H:#PUBLIC_URL=http://${c.publicHost}:# /etc/systemd/system/${file}`,
        ),
      );
    } else {
      expect(rewrites).toEqual([]);
    }
  });

  it('the enabled instances are the ones the units are written for', () => {
    const { output } = dryRun('--gateways', '3', '--workers', '2');
    const configs = enabled(output).map((name) => configOf(`${name}.service`));
    expect(configs.map((config) => config.server.role)).toEqual(['gateway', 'gateway', 'gateway', 'worker', 'worker']);
    expect(configs.map((config) => config.server.bindAddr.port)).toEqual([3000, 3001, 3002, 3100, 3101]);
  });

  it.each([
    [['--workers', '21']],
    [['--workers', 'two']],
    [['--gateways', '0']],
    [['--nodes', '12']],
    [['--public-host', 'bad host']],
    [['--frobnicate']],
  ])('refuses %j', (args) => {
    const { status, calls } = dryRun(...args);
    expect(status).toBe(2);
    expect(calls).toEqual([]);
  });
});
