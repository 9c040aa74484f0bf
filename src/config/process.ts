import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { HostPort } from './parsers.js';
import type { Config } from './settings.js';

/** The version in package.json. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** The URL a client uses for a listener bound to `address` (a wildcard address is reached on loopback). */
export function urlOf(address: HostPort, port: number): string {
  const host = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The process's logger: JSON lines tagged with the node name and pid (a node may be several processes). */
export function createLogger(config: Config): Logger {
  return pino({ level: config.server.logLevel, base: { node: config.server.nodeName, pid: process.pid } });
}
