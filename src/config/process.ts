import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { Config } from './settings.js';

/** The version in package.json. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** The process's logger: JSON lines tagged with the node name and pid (a node may be several processes). */
export function createLogger(config: Config): Logger {
  return pino({ level: config.server.logLevel, base: { node: config.server.nodeName, pid: process.pid } });
}
