import { AppError } from '../../errors/index.js';
import {
  BINARY_SUBPROTOCOL,
  JSON_SUBPROTOCOL,
  ProtocolError,
  decodeFrame,
  validateClientMessage,
  type ClientMessage,
  type Encoding,
  type ErrorCode,
  type ServerMessage,
} from '../../protocol/index.js';
import type { TransportOptions, TransportSocket, WebSocketTransport } from '../../transport/index.js';
import { ClientConnection, CloseCode } from './connection.js';
import { errorMessage, type GatewayContext, type WebSocketDeps } from './context.js';
import { protocolErrorCode } from './errors.js';
import { Chat } from './handlers/chat.js';
import { roomHandlers } from './handlers/room.js';
import { signalHandlers } from './handlers/signal.js';
import { ConnectionMoves } from './move.js';
import { route, type HandlerTable } from './router.js';
import { PlayerNotices } from './notices.js';
import { PlayerSessions } from './session.js';

export { CloseCode } from './connection.js';
export type { WebSocketDeps } from './context.js';
export { publishPlayerExpulsion, publishPlayerNotice } from './notices.js';

export interface WebSocketSettings {
  maxConnections: number;
  maxMessageSize: number;
  messageRate: number;
  messageQueueSize: number;
  /** Seconds of silence (no frame, no pong) before a connection is closed. */
  connectionTimeout: number;
  enableCompression: boolean;
  trustProxy: boolean;
}

const AUTH_TIMEOUT_MS = 10_000;
const SLOW_CLIENT_TIMEOUT_MS = 5_000;
const CONGESTION_BYTES = 64 * 1024;
const MAX_HELD_MESSAGES = 32;

/** What the transport needs to know of the protocol: frame size, compression, the subprotocols (encodings). */
export function transportOptions(settings: WebSocketSettings): TransportOptions {
  return {
    maxPayload: settings.maxMessageSize,
    compression: settings.enableCompression,
    selectProtocol: (offered) =>
      offered.has(BINARY_SUBPROTOCOL) ? BINARY_SUBPROTOCOL : offered.has(JSON_SUBPROTOCOL) ? JSON_SUBPROTOCOL : undefined,
  };
}

/**
 * The `/ws` endpoint, on whichever transport carries it: accepts and admits connections, decodes their messages and
 * hands them to the session (auth), or through the router to the room, chat and signalling handlers. Flow
 * control per connection is in ClientConnection; moving connections between processes in ConnectionMoves.
 */
export class WebSocketGateway implements GatewayContext {
  private readonly connections = new Set<ClientConnection>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly sweepMs: number;
  private sweeps = 0;
  private readonly sessions: PlayerSessions;
  private readonly chat: Chat;
  private readonly notices: PlayerNotices;
  private readonly moves: ConnectionMoves;
  private readonly handlers: HandlerTable;
  private isClosed = false;

  constructor(
    private readonly transport: WebSocketTransport,
    private readonly settings: WebSocketSettings,
    readonly deps: WebSocketDeps,
  ) {
    this.sessions = new PlayerSessions(this);
    this.chat = new Chat(this, this.sessions);
    this.notices = new PlayerNotices(this, this.sessions);
    const host = {
      register: (socket: TransportSocket, encoding: Encoding, ip: string) => this.register(socket, encoding, ip),
      forget: (connection: ClientConnection) => this.forget(connection),
      closed: () => this.isClosed,
    };
    this.moves = new ConnectionMoves(this, this.sessions, host, transport);
    this.handlers = { ...roomHandlers(this, this.moves), ...this.chat.handlers, ...signalHandlers };
    transport.onConnection((socket) => {
      if (this.isClosed) socket.close(CloseCode.GoingAway, 'server shutting down');
      else this.register(socket, socket.protocol === BINARY_SUBPROTOCOL ? 'msgpack' : 'json', this.clientIp(socket));
    });
    // At least three sweeps per timeout: a pong answering one sweep's ping always lands before the next check.
    this.sweepMs = Math.min(1_000, (settings.connectionTimeout * 1000) / 3);
    this.sweeper = setInterval(() => this.sweep(), this.sweepMs).unref();
  }

  /** Subscribes to global chat, player notices and session claims and takes connections other processes move here; call once. */
  async start(): Promise<void> {
    await this.sessions.start();
    await this.chat.start();
    await this.notices.start();
    this.deps.rooms.onArrival((handle, moved) => this.moves.adopt(handle, moved));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Sends to the player's live connection on this node; false when it has none here. */
  sendToPlayer(playerId: string, message: ServerMessage): boolean {
    const connection = this.sessions.connectionOf(playerId);
    if (!connection) return false;
    connection.send(message);
    return true;
  }

  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearInterval(this.sweeper);
    await this.chat.stop();
    await this.notices.stop();
    await this.sessions.stop();
    for (const connection of this.connections) connection.close(CloseCode.GoingAway, 'server shutting down');
    await this.transport.close();
  }

  sendError(connection: ClientConnection, code: ErrorCode, message: string, ref?: string): void {
    connection.send(errorMessage(code, message, ref));
  }

  handleAll(connection: ClientConnection, messages: readonly ClientMessage[]): void {
    for (const message of messages) {
      const held = connection.held;
      if (held) held.push(message);
      else this.handle(connection, message);
    }
  }

  /** Admits a socket as a connection of this process, or turns it away when the process is full. */
  private register(socket: TransportSocket, encoding: Encoding, ip: string): ClientConnection | undefined {
    const { metrics } = this.deps;
    const connection = new ClientConnection(
      socket,
      encoding,
      ip,
      { messageRate: this.settings.messageRate, congestionBytes: CONGESTION_BYTES, messageQueueSize: this.settings.messageQueueSize },
      {
        messageSent: (bytes) => {
          metrics.messagesOut.value++;
          metrics.bytesOut.value += bytes;
        },
      },
      Date.now(),
    );
    if (this.connections.size >= this.settings.maxConnections) {
      metrics.disconnects.inc({ code: String(CloseCode.TryAgainLater) });
      connection.close(CloseCode.TryAgainLater, 'server full');
      return undefined;
    }
    this.connections.add(connection);
    metrics.connectionsActive.inc();
    socket.listen({
      message: (data, isBinary) => this.onMessage(connection, data, isBinary),
      pong: () => {
        connection.lastSeenAt = Date.now();
      },
      close: (code) => this.onClose(connection, code),
    });
    return connection;
  }

  private onMessage(connection: ClientConnection, data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    connection.lastSeenAt = now;
    const admitted = connection.admit(now);
    if (admitted !== 'ok') {
      if (admitted === 'flood') connection.close(CloseCode.PolicyViolation, 'message flood');
      if (admitted === 'notify') this.sendError(connection, 'rate_limited', 'too many messages; some were dropped');
      return;
    }
    let message: ClientMessage;
    try {
      // Decoded before returning: a transport may reuse `data` (client messages hold no binary fields to keep).
      message = validateClientMessage(decodeFrame(isBinary ? data : data.toString('utf8'), isBinary));
    } catch (error) {
      this.deps.metrics.messagesIn.add('invalid');
      if (error instanceof ProtocolError) {
        this.sendError(connection, protocolErrorCode(error), error.message, error.ref);
      } else {
        // Whatever a client sends must never take the node down.
        this.deps.logger.warn({ err: error }, 'undecodable websocket message');
        this.sendError(connection, 'bad_message', 'message could not be read');
      }
      return;
    }
    this.deps.metrics.messagesIn.add(message.type);
    const held = connection.held;
    if (held) {
      if (held.length >= MAX_HELD_MESSAGES) {
        this.sendError(connection, 'rate_limited', 'too many messages while authenticating or joining', message.type);
      } else {
        held.push(message);
      }
      return;
    }
    this.handle(connection, message);
  }

  private handle(connection: ClientConnection, message: ClientMessage): void {
    try {
      if (message.type === 'auth') {
        void this.sessions.authenticate(connection, message);
        return;
      }
      if (message.type === 'ping') {
        connection.send({ type: 'pong', ...(message.t !== undefined ? { t: message.t } : {}) });
        return;
      }
      const { state } = connection;
      if (state.kind !== 'ready') {
        this.sendError(connection, 'not_authenticated', 'send auth first', message.type);
        return;
      }
      route(this.handlers, connection, state, message);
    } catch (error) {
      if (error instanceof AppError) {
        this.sendError(connection, protocolErrorCode(error), error.message, message.type);
        return;
      }
      this.deps.logger.error({ err: error, type: message.type }, 'websocket handler failed');
      this.sendError(connection, 'server_error', 'internal error', message.type);
    }
  }

  private onClose(connection: ClientConnection, code: number): void {
    if (!this.forget(connection)) return;
    this.deps.metrics.disconnects.inc({ code: String(code) });
    this.sessions.closed(connection);
  }

  private forget(connection: ClientConnection): boolean {
    if (!this.connections.delete(connection)) return false;
    this.deps.metrics.connectionsActive.dec();
    return true;
  }

  /** Once a second (more often for timeouts under 3 s): pings, heartbeat and auth timeouts, slow clients. */
  private sweep(): void {
    const now = Date.now();
    const timeoutMs = this.settings.connectionTimeout * 1000;
    const pingEvery = Math.max(1, Math.floor(timeoutMs / 3 / this.sweepMs));
    const ping = ++this.sweeps % pingEvery === 0;
    // Only a connection quiet for a third of the timeout is pinged: one heard from since proves itself, and a
    // ping per player (a send each) in one sweep is a burst the tick loop would wait behind.
    const quietSince = now - timeoutMs / 3;
    for (const connection of this.connections) {
      // A connection already closing is being dealt with: counting or closing it again would be noise.
      if (!connection.open) continue;
      if (connection.state.kind === 'unauthenticated' && now - connection.connectedAt > AUTH_TIMEOUT_MS) {
        connection.close(CloseCode.AuthTimeout, 'no auth within 10 s');
      } else if (now - connection.lastSeenAt > timeoutMs) {
        connection.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
      } else if (connection.overflowing || (connection.congestedSince !== undefined && now - connection.congestedSince > SLOW_CLIENT_TIMEOUT_MS)) {
        this.deps.metrics.slowClientsDropped.inc();
        connection.close(CloseCode.SlowClient, 'client too slow');
      } else if (ping && connection.lastSeenAt < quietSince) {
        connection.socket.ping();
      }
    }
  }

  private clientIp(socket: TransportSocket): string {
    const forwarded = this.settings.trustProxy ? socket.forwardedFor : undefined;
    return forwarded?.split(',')[0]?.trim() || socket.remoteAddress;
  }
}
