import type { FastifyInstance } from 'fastify';
import { loadUws } from './native.js';
import type { TransportName, TransportOptions, WebSocketTransport } from './types.js';
import { UwsTransport } from './uws.js';
import { WsTransport } from './ws.js';

export type { SocketListener, TransportName, TransportOptions, TransportSocket, WebSocketTransport } from './types.js';
export { WsSocket, WsTransport } from './ws.js';
export type { SocketHandle } from './handoff.js';
export { loadUws } from './native.js';

export type TransportChoice = TransportName | 'auto';

export class TransportUnavailable extends Error {
  override name = 'TransportUnavailable';
}

/**
 * The transport WS_TRANSPORT asks for: `uws` (uWebSockets.js, its native binary or nothing), `ws`, or `auto`:
 * uWebSockets when its binary loads here, else `ws`. `why` says in the log what was picked and why.
 */
export function openTransport(
  choice: TransportChoice,
  gateway: FastifyInstance,
  options: TransportOptions,
): { transport: WebSocketTransport; why: string } {
  if (choice === 'ws') return { transport: new WsTransport(gateway, options), why: 'WS_TRANSPORT=ws' };
  const loaded = loadUws();
  if ('uws' in loaded) return { transport: new UwsTransport(loaded.uws, gateway, options), why: `WS_TRANSPORT=${choice}, native binary loaded` };
  if (choice === 'uws') throw new TransportUnavailable(`WS_TRANSPORT=uws, but uWebSockets.js cannot run here: ${loaded.error}`);
  return { transport: new WsTransport(gateway, options), why: `WS_TRANSPORT=auto, uWebSockets.js unavailable: ${loaded.error}` };
}
