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
  sections: ['autoscaling'],
  keys: ['server.worker_endpoint', 'server.room_manager_endpoint'],
  env: ['WORKER_ENDPOINT', 'ROOM_MANAGER_ENDPOINT', 'MIN_SERVERS', 'MAX_SERVERS', 'SCALE_UP_THRESHOLD', 'SCALE_DOWN_THRESHOLD'],
};
const IGNORED = 'is no longer read and is ignored; remove it';

export function configFilesFrom(argv: readonly string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config') {
      const next = argv[i + 1];
      if (!next || next.startsWith('--')) throw new ConfigError('--config needs a file path');
      files.push(next);
      i++;
    } else if (arg.startsWith('--config=')) {
      files.push(arg.slice('--config='.length));
    } else {
      throw new ConfigError(`unknown argument ${arg} (usage: gamev1 [--config file.toml]...)`);
    }
  }
  return files;
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
 * Returns a note for each retired section or key it ignores.
 */
function checkTomlKeys(table: TomlTable, path: string): string[] {
  const notes: string[] = [];
  for (const [section, body] of Object.entries(table)) {
    if (RETIRED.sections.includes(section)) {
      notes.push(`${path}: [${section}] ${IGNORED} (replicas are scaled by the orchestrator, e.g. deploy/k8s/gateway-hpa.yaml)`);
      continue;
    }
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
  const env = options.env ?? process.env;
  const notes: string[] = [];
  const tables = configFilesFrom(options.argv ?? []).map((path) => {
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
  const { matchmaking, transport, game, server } = config;
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
