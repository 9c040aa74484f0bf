import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envExample, loadConfig } from '../src/config/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'gamev1-config-'));

function file(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('has the seed defaults', () => {
    const config = loadConfig({ env: {}, cwd: dir() });
    expect(config.server.bindAddr).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.transport).toMatchObject({ maxConnectionsPerRoom: 100, connectionTimeout: 30, messageQueueSize: 1000, wsTransport: 'auto' });
    expect(config.matchmaking).toMatchObject({
      maxWaitTime: 300,
      maxSkillDiff: 200,
      minPlayersPerMatch: 2,
      maxPlayersPerMatch: 8,
      enablePriorityQueue: true,
    });
    expect(config.game).toMatchObject({ tickRate: 60, maxEntities: 10000, snapshotRate: 20 });
    expect(config.monitoring.enableMetrics).toBe(true);
    expect(config.autoscaling).toEqual({ minServers: 2, maxServers: 20, scaleUpThreshold: 75, scaleDownThreshold: 25, scaleDownStabilization: 300 });
  });

  it('reads the seed gateway.toml and worker.toml; env beats .env beats the files', () => {
    const directory = dir();
    const gateway = file(directory, 'gateway.toml', `
[server]
bind_addr = "0.0.0.0:3001"
worker_endpoint = "http://worker:50051"

[transport]
max_connections = 1000
max_connections_per_room = 100
connection_timeout = 30
enable_compression = true
enable_rate_limiting = true

[redis]
url = "redis://redis:6379/0"
pool_size = 20

[monitoring]
enable_metrics = true
metrics_addr = "0.0.0.0:9090"
`);
    const worker = file(directory, 'worker.toml', `
[database]
url = "postgresql://gamev1_user:password@postgres:5432/gamev1"
pool_size = 50

[redis]
url = "redis://redis:6379/0"
pool_size = 20

[game]
tick_rate = 60
max_entities = 10000

[matchmaking]
max_wait_time = 300
max_skill_diff = 200.0
enable_priority_queue = true

[monitoring]
enable_metrics = true
`);
    file(directory, '.env', 'MAX_CONNECTIONS=2000\nTICK_RATE=30\n');
    const warnings: string[] = [];
    const config = loadConfig({
      env: { TICK_RATE: '20' },
      argv: ['--config', gateway, `--config=${worker}`],
      cwd: directory,
      warn: (message) => warnings.push(message),
    });
    expect(config.server.bindAddr.port).toBe(3001);
    expect(warnings).toEqual([expect.stringMatching(/gateway\.toml: server\.worker_endpoint is no longer read and is ignored/)]);
    expect(config.transport.enableCompression).toBe(true);
    expect(config.transport.maxConnections).toBe(2000); // .env over TOML
    expect(config.game.tickRate).toBe(20); // environment over .env
    expect(config.database).toMatchObject({ url: 'postgresql://gamev1_user:password@postgres:5432/gamev1', poolSize: 50 });
    expect(config.redis.poolSize).toBe(20);
    expect(config.monitoring.metricsAddr).toEqual({ host: '0.0.0.0', port: 9090 });
  });

  it('treats an empty value as unset', () => {
    const config = loadConfig({ env: { DATABASE_URL: '', MAX_CONNECTIONS: '' }, cwd: dir() });
    expect(config.database.url).toBeUndefined();
    expect(config.transport.maxConnections).toBe(10000);
  });

  it.each([
    [{ MAX_CONNECTIONS: 'lots' }, /MAX_CONNECTIONS \(environment\) must be an integer from 1 to 10000000, got "lots"/],
    [{ GATEWAY_BIND_ADDR: '3000' }, /GATEWAY_BIND_ADDR .* must be host:port/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL .* must use postgres: or postgresql:/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL .* must be a URL/],
    [{ ENABLE_METRICS: 'maybe' }, /ENABLE_METRICS .* must be true or false/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET .* must be 32 to 4096 characters/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL .* must be one of/],
    [{ MIN_PLAYERS_PER_MATCH: '9' }, /MIN_PLAYERS_PER_MATCH \(9\) must not exceed MAX_PLAYERS_PER_MATCH \(8\)/],
    [{ TICK_RATE: '10' }, /SNAPSHOT_RATE \(20\) must not exceed TICK_RATE \(10\)/],
    [{ MIN_SERVERS: '21' }, /MIN_SERVERS \(21\) must not exceed MAX_SERVERS \(20\)/],
    [{ MIN_SERVERS: '0' }, /MIN_SERVERS \(environment\) must be an integer from 1 to 10000, got "0"/],
    [{ SCALE_DOWN_THRESHOLD: '75' }, /SCALE_DOWN_THRESHOLD \(75\) must be below SCALE_UP_THRESHOLD \(75\)/],
    [{ SCALE_UP_THRESHOLD: '120' }, /SCALE_UP_THRESHOLD \(environment\) must be a number from 0 to 100, got "120"/],
    [
      { MAX_CONNECTIONS_PER_ROOM: '6' },
      /MAX_PLAYERS_PER_MATCH \(8\) must not exceed MAX_CONNECTIONS_PER_ROOM \(6\) or MAX_ENTITIES \(10000\)/,
    ],
    [{ MAX_ENTITIES: '4' }, /MAX_PLAYERS_PER_MATCH \(8\) must not exceed MAX_CONNECTIONS_PER_ROOM \(100\) or MAX_ENTITIES \(4\)/],
    [{ WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }, /WORKERS=2 needs DATABASE_URL and REDIS_URL/],
    [{ WORKERS: '0', DATABASE_URL: 'postgres://h/db' }, /WORKERS=0 needs DATABASE_URL and REDIS_URL/],
    [
      { WORKERS: '2', DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h', ENABLE_COMPRESSION: 'true' },
      /ENABLE_COMPRESSION cannot be combined with WORKERS=2/,
    ],
    [
      { WORKERS: '4', DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h', WORKER_GRPC_ADDR: '127.0.0.1:65534' },
      /WORKER_GRPC_ADDR's port \+ WORKERS - 1 must be a port/,
    ],
    [{ WORKER_GRPC_ADDR: '50051' }, /WORKER_GRPC_ADDR .* must be host:port/],
    [{ WS_TRANSPORT: 'uwebsockets' }, /WS_TRANSPORT \(environment\) must be one of auto, uws, ws/],
    [{ WORKERS: '2', DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h', WS_TRANSPORT: 'uws' }, /WS_TRANSPORT=uws cannot be combined with WORKERS=2/],
    [{ WORKERS: '2', DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h', AGONES: 'true' }, /AGONES cannot be combined with WORKERS=2/],
    [{ WORKERS: '65' }, /WORKERS .* must be an integer from 0 to 64/],
    [{ LEAGUE_TIERS: 'Bronze,Silver' }, /LEAGUE_TIERS .* must be comma-separated Name:divisions pairs/],
    [{ LEAGUE_TIERS: 'Gold:4,Gold:2' }, /LEAGUE_TIERS .* must not name a tier twice/],
    [{ LEAGUE_TIERS: 'Master:0,Gold:4' }, /LEAGUE_TIERS .* must list apex tiers \(0 divisions\) after every tier with divisions/],
  ])('names the key of a bad value: %o', (env, message) => {
    expect(() => loadConfig({ env, cwd: dir() })).toThrow(ConfigError);
    expect(() => loadConfig({ env, cwd: dir() })).toThrow(message);
  });

  it('names the file and key of a bad TOML value, and rejects unknown sections and keys', () => {
    const directory = dir();
    const bad = file(directory, 'bad.toml', '[game]\ntick_rate = 0\n');
    expect(() => loadConfig({ env: {}, argv: ['--config', bad], cwd: directory })).toThrow(
      /game\.tick_rate in .*bad\.toml must be an integer from 1 to 240, got "0"/,
    );
    const typo = file(directory, 'typo.toml', '[game]\ntickrate = 30\n');
    expect(() => loadConfig({ env: {}, argv: ['--config', typo], cwd: directory })).toThrow(/unknown key game\.tickrate/);
    const section = file(directory, 'section.toml', '[gaem]\ntick_rate = 30\n');
    expect(() => loadConfig({ env: {}, argv: ['--config', section], cwd: directory })).toThrow(/unknown section \[gaem\]/);
    const broken = file(directory, 'broken.toml', '[game\n');
    expect(() => loadConfig({ env: {}, argv: ['--config', broken], cwd: directory })).toThrow(/not valid TOML/);
    expect(() => loadConfig({ env: {}, argv: ['--config', join(directory, 'missing.toml')], cwd: directory })).toThrow(
      /cannot read config file/,
    );
  });

  it('reads a league ladder of its own', () => {
    const config = loadConfig({ env: { LEAGUE_TIERS: 'Iron:2, Steel Elite:3,Legend:0' }, cwd: dir() });
    expect(config.league.tiers).toEqual([
      { name: 'Iron', divisions: 2 },
      { name: 'Steel Elite', divisions: 3 },
      { name: 'Legend', divisions: 0 },
    ]);
  });

  it('accepts a match exactly as large as a room allows', () => {
    const config = loadConfig({ env: { MAX_PLAYERS_PER_MATCH: '6', MAX_CONNECTIONS_PER_ROOM: '6', MAX_ENTITIES: '6' }, cwd: dir() });
    expect(config.matchmaking.maxPlayersPerMatch).toBe(6);
  });

  it('reads the brief\'s [autoscaling] section as settings', () => {
    const directory = dir();
    const brief = file(directory, 'gateway.toml', `
[autoscaling]
min_servers = 3
max_servers = 30
scale_up_threshold = 80.0
scale_down_threshold = 20.0
`);
    const warnings: string[] = [];
    const config = loadConfig({ env: { SCALE_DOWN_STABILIZATION: '60' }, argv: ['--config', brief], cwd: directory, warn: (message) => warnings.push(message) });
    expect(config.autoscaling).toEqual({ minServers: 3, maxServers: 30, scaleUpThreshold: 80, scaleDownThreshold: 20, scaleDownStabilization: 60 });
    expect(warnings).toEqual([]);
  });

  it('starts with a warning, not an error, when retired settings are still set', () => {
    const directory = dir();
    const old = file(directory, 'old.toml', `
[server]
worker_endpoint = "http://worker:50051"
room_manager_endpoint = ""
`);
    file(directory, '.env', 'ROOM_MANAGER_ENDPOINT=http://rooms:50052\n');
    const warnings: string[] = [];
    const config = loadConfig({ env: { WORKER_ENDPOINT: 'http://worker:50051' }, argv: ['--config', old], cwd: directory, warn: (message) => warnings.push(message) });
    expect(Object.keys(config.server)).not.toContain('workerEndpoint');
    expect(warnings).toEqual([
      expect.stringMatching(/old\.toml: server\.worker_endpoint is no longer read and is ignored; remove it$/),
      expect.stringMatching(/old\.toml: server\.room_manager_endpoint is no longer read/),
      'WORKER_ENDPOINT (environment) is no longer read and is ignored; remove it',
      'ROOM_MANAGER_ENDPOINT (.env) is no longer read and is ignored; remove it',
    ]);
    // A typo next to a retired key is still an error.
    const typo = file(directory, 'typo.toml', '[server]\nworker_endpoint = ""\nbind_adr = "0.0.0.0:1"\n');
    expect(() => loadConfig({ env: {}, argv: ['--config', typo], cwd: directory, warn: () => undefined })).toThrow(/unknown key server\.bind_adr/);
  });

  it('rejects unknown arguments and a --config without a path', () => {
    expect(() => loadConfig({ env: {}, argv: ['--port', '3'], cwd: dir() })).toThrow(/unknown argument --port/);
    expect(() => loadConfig({ env: {}, argv: ['--config'], cwd: dir() })).toThrow(/--config needs a file path/);
  });

  it('documents every key in .env.example', () => {
    const committed = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(envExample());
    // And the documented file itself is a valid configuration.
    const directory = dir();
    file(directory, '.env', committed);
    expect(() => loadConfig({ env: {}, cwd: directory })).not.toThrow();
  });
});
