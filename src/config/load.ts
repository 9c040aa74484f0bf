import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseToml } from 'smol-toml';
import { InvalidValue, type Setting } from './parsers.js';
import { SETTINGS, type Config } from './settings.js';

/** A configuration problem; its message names the key and is meant to be printed as is. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  /** Process environment; wins over everything else. */
  env?: Record<string, string | undefined>;
  /** Command-line arguments (without node and script); `--config path` may repeat, later files win. */
  argv?: readonly string[];
  /** Directory holding the optional `.env` file. */
  cwd?: string;
  /** Told about retired settings that are still set and ignored; by default printed to stderr. */
  warn?: (message: string) => void;
}

type TomlTable = Record<string, unknown>;
type Source = { value: string; origin: string };

const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Settings earlier versions declared but never acted on. A deployment that still sets one keeps starting
 * (an unknown TOML key is otherwise an error) and is told the setting is ignored.
 */
const RETIRED = {
  keys: ['server.worker_endpoint', 'server.room_manager_endpoint'],
  env: ['WORKER_ENDPOINT', 'ROOM_MANAGER_ENDPOINT'],
};
const IGNORED = 'is no longer read and is ignored; remove it';

/** The command line: `--config file.toml` (repeatable) and `--role all|gateway|worker` (wins over ROLE). */
export function parseArguments(argv: readonly string[]): { files: string[]; role?: string } {
  const files: string[] = [];
  let role: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag !== '--config' && flag !== '--role') {
      throw new ConfigError(`unknown argument ${arg} (usage: gamev1 [--config file.toml]... [--role all|gateway|worker])`);
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (!next || next.startsWith('--')) throw new ConfigError(flag === '--config' ? '--config needs a file path' : '--role needs all, gateway or worker');
      value = next;
      i++;
    }
    if (flag === '--config') files.push(value);
    else role = value;
  }
  return role === undefined ? { files } : { files, role };
}

function readToml(path: string): TomlTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    return parseToml(text) as TomlTable;
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Checks a TOML file only uses known sections and keys, so a typo is an error instead of a silent default.
 * Returns a note for each retired key it ignores.
 */
function checkTomlKeys(table: TomlTable, path: string): string[] {
  const notes: string[] = [];
  for (const [section, body] of Object.entries(table)) {
    const known = (SETTINGS as Record<string, Record<string, Setting<unknown>>>)[section];
    if (!known) {
      throw new ConfigError(`${path}: unknown section [${section}] (known: ${Object.keys(SETTINGS).join(', ')})`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ConfigError(`${path}: ${section} must be a table`);
    }
    const knownKeys = Object.keys(known).map(camelToSnake);
    for (const key of Object.keys(body)) {
      if (RETIRED.keys.includes(`${section}.${key}`)) {
        notes.push(`${path}: ${section}.${key} ${IGNORED}`);
      } else if (!knownKeys.includes(key)) {
        throw new ConfigError(`${path}: unknown key ${section}.${key} (known: ${knownKeys.join(', ')})`);
      }
    }
  }
  return notes;
}

function tomlValue(tables: { path: string; table: TomlTable }[], section: string, key: string): Source | undefined {
  for (let i = tables.length - 1; i >= 0; i--) {
    const { path, table } = tables[i]!;
    const value = (table[section] as TomlTable | undefined)?.[key];
    if (value !== undefined) return { value: String(value), origin: `${section}.${key} in ${path}` };
  }
  return undefined;
}

function readDotenv(cwd: string): Record<string, string> {
  const path = resolve(cwd, '.env');
  return existsSync(path) ? parseDotenv(readFileSync(path)) : {};
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** Loads and validates the configuration: environment > .env > TOML files > defaults. */
export function loadConfig(options: LoadOptions = {}): Config {
  const args = parseArguments(options.argv ?? []);
  const env = args.role === undefined ? (options.env ?? process.env) : { ...(options.env ?? process.env), ROLE: args.role };
  const notes: string[] = [];
  const tables = args.files.map((path) => {
    const table = readToml(path);
    notes.push(...checkTomlKeys(table, path));
    return { path, table };
  });
  const dotenv = readDotenv(options.cwd ?? process.cwd());
  for (const key of RETIRED.env) {
    if (nonEmpty(env[key]) !== undefined) notes.push(`${key} (environment) ${IGNORED}`);
    else if (nonEmpty(dotenv[key]) !== undefined) notes.push(`${key} (.env) ${IGNORED}`);
  }
  const warn = options.warn ?? ((message: string) => console.warn(`gamev1: ${message}`));
  notes.forEach((note) => warn(note));

  const problems: string[] = [];
  const config: Record<string, Record<string, unknown>> = {};
  for (const [section, settings] of Object.entries(SETTINGS as Record<string, Record<string, Setting<unknown>>>)) {
    const values: Record<string, unknown> = {};
    for (const [name, setting] of Object.entries(settings)) {
      const envValue = nonEmpty(env[setting.env]);
      const dotenvValue = nonEmpty(dotenv[setting.env]);
      const source: Source =
        (envValue !== undefined && { value: envValue, origin: `${setting.env} (environment)` }) ||
        (dotenvValue !== undefined && { value: dotenvValue, origin: `${setting.env} (.env)` }) ||
        tomlValue(tables, section, camelToSnake(name)) || { value: setting.default, origin: `${setting.env} (default)` };
      try {
        values[name] = setting.parse(source.value);
      } catch (error) {
        if (!(error instanceof InvalidValue)) throw error;
        problems.push(`${source.origin} ${error.message}, got ${JSON.stringify(source.value)}`);
      }
    }
    config[section] = values;
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  const result = config as Config;
  checkRelations(result);
  return result;
}

function checkRelations(config: Config): void {
  const { matchmaking, transport, game, server, autoscaling } = config;
  const clustered = server.workers !== 1;
  const rules: [boolean, string][] = [
    [game.snapshotRate <= game.tickRate, `SNAPSHOT_RATE (${game.snapshotRate}) must not exceed TICK_RATE (${game.tickRate})`],
    [
      matchmaking.minPlayersPerMatch <= matchmaking.maxPlayersPerMatch,
      `MIN_PLAYERS_PER_MATCH (${matchmaking.minPlayersPerMatch}) must not exceed MAX_PLAYERS_PER_MATCH (${matchmaking.maxPlayersPerMatch})`,
    ],
    [
      matchmaking.maxPlayersPerMatch <= Math.min(transport.maxConnectionsPerRoom, game.maxEntities),
      `MAX_PLAYERS_PER_MATCH (${matchmaking.maxPlayersPerMatch}) must not exceed MAX_CONNECTIONS_PER_ROOM ` +
        `(${transport.maxConnectionsPerRoom}) or MAX_ENTITIES (${game.maxEntities}): a formed match plays in one room`,
    ],
    [
      autoscaling.minServers <= autoscaling.maxServers,
      `MIN_SERVERS (${autoscaling.minServers}) must not exceed MAX_SERVERS (${autoscaling.maxServers})`,
    ],
    [
      autoscaling.scaleDownThreshold < autoscaling.scaleUpThreshold,
      `SCALE_DOWN_THRESHOLD (${autoscaling.scaleDownThreshold}) must be below SCALE_UP_THRESHOLD (${autoscaling.scaleUpThreshold}): ` +
        'between the two the replica count holds still',
    ],
    [
      transport.maxConnectionsPerRoom <= transport.maxConnections,
      `MAX_CONNECTIONS_PER_ROOM (${transport.maxConnectionsPerRoom}) must not exceed MAX_CONNECTIONS (${transport.maxConnections})`,
    ],
    [
      !clustered || (config.database.url !== undefined && config.redis.url !== undefined),
      `WORKERS=${server.workers} needs DATABASE_URL and REDIS_URL: the embedded database and memory cache belong to one process`,
    ],
    [
      !clustered || !transport.enableCompression,
      `ENABLE_COMPRESSION cannot be combined with WORKERS=${server.workers}: compressed connections cannot move between processes`,
    ],
    [
      !clustered || server.workerGrpcAddr === undefined || server.workerGrpcAddr.port === 0 || server.workerGrpcAddr.port + server.workers - 1 <= 65_535,
      `WORKER_GRPC_ADDR's port + WORKERS - 1 must be a port: with WORKERS=${server.workers} process N serves its Worker API on port + N - 1`,
    ],
    [
      server.role === 'all' || (config.redis.url !== undefined && config.database.url !== undefined),
      `ROLE=${server.role} needs REDIS_URL and DATABASE_URL: gateways and workers share the node directory (Redis) and the database`,
    ],
    [
      server.role !== 'gateway' || (!clustered && server.workerGrpcAddr === undefined && !server.agones),
      'ROLE=gateway hosts no rooms: WORKERS, WORKER_GRPC_ADDR and AGONES are for processes that do (run several gateways as separate processes)',
    ],
    [
      server.role !== 'worker' || server.workerGrpcAddr !== undefined,
      'ROLE=worker needs WORKER_GRPC_ADDR (e.g. 0.0.0.0:50051): gateways place rooms on workers through the Worker API',
    ],
    [
      !clustered || transport.wsTransport !== 'uws',
      `WS_TRANSPORT=uws cannot be combined with WORKERS=${server.workers}: a uWebSockets socket cannot move to the process ` +
        'hosting its room (use ws or auto, or run the processes as separate nodes, each on its own port)',
    ],
    [
      !clustered || !server.agones,
      `AGONES cannot be combined with WORKERS=${server.workers}: one Agones GameServer is one process`,
    ],
  ];
  const broken = rules.filter(([ok]) => !ok).map(([, message]) => message);
  if (broken.length > 0) throw new ConfigError(`invalid configuration: ${broken.join('; ')}`);
}

/** The `.env.example` text: every key with its default and documentation. */
export function envExample(): string {
  const lines = ['# GameV1 configuration. Every key is optional; the value shown is the default.', ''];
  for (const [section, settings] of Object.entries(SETTINGS as Record<string, Record<string, Setting<unknown>>>)) {
    lines.push(`# --- ${section} (TOML section [${section}]) ---`);
    for (const [name, setting] of Object.entries(settings)) {
      const fallback = setting.env === 'NODE_NAME' ? '' : setting.default;
      lines.push(`# ${setting.doc} (TOML: ${section}.${camelToSnake(name)})`, `${setting.env}=${fallback}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
