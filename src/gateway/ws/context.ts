import type { Logger } from 'pino';
import type { AuthService } from '../../auth/index.js';
import type { Cache } from '../../cache/index.js';
import type { Metrics } from '../../metrics/index.js';
import type { ClientMessage, ErrorCode, ServerMessage } from '../../protocol/index.js';
import type { RoomRegistry } from '../../rooms/index.js';
import type { ClientConnection } from './connection.js';

export interface WebSocketDeps {
  auth: AuthService;
  rooms: RoomRegistry;
  metrics: Metrics;
  logger: Logger;
  /** Carries global chat and session claims to every node (and every process of this one). */
  cache: Pick<Cache, 'get' | 'set' | 'publish' | 'subscribe'>;
  /** Marks a player online/offline in storage; failures are only logged. */
  setOnline(playerId: string, online: boolean): Promise<void>;
  /** Messages a player gets right after auth_ok (e.g. tournament matches waiting for it). */
  noticesOnConnect(playerId: string): ServerMessage[];
}

/** What the gateway's parts share: their dependencies, and the way back into message handling. */
export interface GatewayContext {
  readonly deps: WebSocketDeps;
  sendError(connection: ClientConnection, code: ErrorCode, message: string, ref?: string): void;
  /** Handles messages in order; once one makes the connection busy, the rest are held. */
  handleAll(connection: ClientConnection, messages: readonly ClientMessage[]): void;
}

export function errorMessage(code: ErrorCode, message: string, ref?: string): ServerMessage {
  return { type: 'error', code, message, ...(ref ? { ref } : {}) };
}
