import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { HostPort } from './parsers.js';
import type { Config } from './settings.js';

/** The version in package.json. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** The URL a client uses for a listener bound to `address` (a wildcard address is reached on loopback). */
export function urlOf(address: HostPort, port: number): string {
  const host = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The process's logger, tagged with the node name and pid (a node may be several processes): JSON lines, or
 * readable lines for a person at a terminal (written synchronously, so nothing is lost on exit).
 */
export function createLogger(config: Config): Logger {
  const options = { level: config.server.logLevel, base: { node: config.server.nodeName, pid: process.pid } };
  const readable = config.server.logFormat === 'pretty' || (config.server.logFormat === 'auto' && process.stdout.isTTY === true);
  return readable ? pino(options, pretty({ sync: true, colorize: process.stdout.isTTY === true })) : pino(options);
}
