import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AuthService } from '../../auth/index.js';
import { AppError } from '../../errors/index.js';
import type { Metrics } from '../../metrics/index.js';
import {
  BINARY_SUBPROTOCOL,
  JSON_SUBPROTOCOL,
  ProtocolError,
  decodeFrame,
  sharedFrames,
  validateClientMessage,
  type ClientMessage,
  type ClientMessageOf,
  type Encoding,
  type ServerMessage,
} from '../../protocol/index.js';
import { RoomError, type RoomManager } from '../../rooms/index.js';
import { ClientConnection, CloseCode, type AuthenticatedPlayer } from './connection.js';

export { CloseCode } from './connection.js';

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

export interface WebSocketDeps {
  auth: AuthService;
  rooms: RoomManager;
  metrics: Metrics;
  logger: Logger;
  /** Marks a player online/offline in storage; failures are only logged. */
  setOnline(playerId: string, online: boolean): Promise<void>;
}

const AUTH_TIMEOUT_MS = 10_000;
const SLOW_CLIENT_TIMEOUT_MS = 5_000;
const CONGESTION_BYTES = 64 * 1024;
const MAX_QUEUED_BEFORE_AUTH = 32;

/**
 * The `/ws` endpoint on the gateway's HTTP server: accepts connections, authenticates them, and routes the
 * protocol's messages to rooms, chat and WebRTC signalling. Flow control per connection is in ClientConnection.
 */
export class WebSocketGateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<ClientConnection>();
  /** The live connection of each authenticated player (a newer one replaces an older one). */
  private readonly byPlayer = new Map<string, ClientConnection>();
  private readonly sweeper: NodeJS.Timeout;
  private sweeps = 0;

  constructor(
    private readonly server: Server,
    private readonly settings: WebSocketSettings,
    private readonly deps: WebSocketDeps,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: settings.maxMessageSize,
      perMessageDeflate: settings.enableCompression ? { threshold: 256 } : false,
      handleProtocols: (protocols) =>
        protocols.has(BINARY_SUBPROTOCOL) ? BINARY_SUBPROTOCOL : protocols.has(JSON_SUBPROTOCOL) ? JSON_SUBPROTOCOL : false,
    });
    server.on('upgrade', this.onUpgrade);
    this.sweeper = setInterval(() => this.sweep(), 1_000).unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Sends to the player's live connection on this node; false when it has none here. */
  sendToPlayer(playerId: string, message: ServerMessage): boolean {
    const connection = this.byPlayer.get(playerId);
    if (!connection) return false;
    connection.send(message);
    return true;
  }

  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    clearInterval(this.sweeper);
    for (const connection of this.connections) connection.close(CloseCode.GoingAway, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  };

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const { metrics } = this.deps;
    const encoding: Encoding = ws.protocol === BINARY_SUBPROTOCOL ? 'msgpack' : 'json';
    const connection = new ClientConnection(
      ws,
      encoding,
      this.clientIp(request),
      { messageRate: this.settings.messageRate, congestionBytes: CONGESTION_BYTES, messageQueueSize: this.settings.messageQueueSize },
      {
        messageSent: (bytes) => {
          metrics.messagesOut.value++;
          metrics.bytesOut.value += bytes;
        },
      },
      Date.now(),
    );
    ws.on('error', (error) => this.deps.logger.debug({ err: error }, 'websocket error'));
    if (this.connections.size >= this.settings.maxConnections) {
      metrics.disconnects.inc({ code: String(CloseCode.TryAgainLater) });
      connection.close(CloseCode.TryAgainLater, 'server full');
      return;
    }
    this.connections.add(connection);
    metrics.connectionsActive.inc();
    ws.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    ws.on('pong', () => {
      connection.lastSeenAt = Date.now();
    });
    ws.on('close', (code) => this.onClose(connection, code));
  }

  private onMessage(connection: ClientConnection, data: RawData, isBinary: boolean): void {
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
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      message = validateClientMessage(decodeFrame(isBinary ? bytes : bytes.toString('utf8'), isBinary));
    } catch (error) {
      this.deps.metrics.messagesIn.add('invalid');
      if (error instanceof ProtocolError) {
        this.sendError(connection, error.code, error.message, error.ref);
      } else {
        // Whatever a client sends must never take the node down.
        this.deps.logger.warn({ err: error }, 'undecodable websocket message');
        this.sendError(connection, 'bad_message', 'message could not be read');
      }
      return;
    }
    this.deps.metrics.messagesIn.add(message.type);
    if (connection.authenticating) {
      if (connection.queuedWhileAuthenticating.length >= MAX_QUEUED_BEFORE_AUTH) {
        this.sendError(connection, 'rate_limited', 'too many messages before authentication finished', message.type);
      } else {
        connection.queuedWhileAuthenticating.push(message);
      }
      return;
    }
    this.handle(connection, message);
  }

  private handle(connection: ClientConnection, message: ClientMessage): void {
    try {
      if (message.type === 'auth') {
        void this.authenticate(connection, message);
        return;
      }
      if (message.type === 'ping') {
        connection.send({ type: 'pong', ...(message.t !== undefined ? { t: message.t } : {}) });
        return;
      }
      const player = connection.player;
      if (!player) {
        this.sendError(connection, 'not_authenticated', 'send auth first', message.type);
        return;
      }
      this.route(connection, player, message);
    } catch (error) {
      if (error instanceof RoomError) {
        this.sendError(connection, error.code === 'unsupported_game_mode' || error.code === 'invalid_room' ? 'bad_message' : error.code, error.message, message.type);
        return;
      }
      this.deps.logger.error({ err: error, type: message.type }, 'websocket handler failed');
      this.sendError(connection, 'server_error', 'internal error', message.type);
    }
  }

  private route(connection: ClientConnection, player: AuthenticatedPlayer, message: Exclude<ClientMessage, { type: 'auth' | 'ping' }>): void {
    switch (message.type) {
      case 'join_room': {
        this.forgetRoomIfLeft(connection, player);
        if (connection.room && connection.room.id !== message.room_id) {
          throw new RoomError('already_in_room', `leave room ${connection.room.id} first`);
        }
        const room = this.deps.rooms.get(message.room_id);
        room.join({ id: player.id, name: player.name }, connection);
        connection.room = room;
        return;
      }
      case 'leave_room':
        this.roomOf(connection, message.room_id).leave(player.id, 'left');
        connection.room = undefined;
        return;
      case 'game_input':
        this.roomOf(connection, message.room_id).input(player.id, message);
        return;
      case 'snapshot_ack':
        this.roomOf(connection, message.room_id).acknowledge(player.id, message.tick);
        return;
      case 'chat':
        this.chat(connection, player, message);
        return;
      case 'webrtc_offer':
      case 'webrtc_answer':
      case 'webrtc_ice':
        this.relaySignal(connection, player, message);
        return;
    }
  }

  private async authenticate(connection: ClientConnection, message: ClientMessageOf<'auth'>): Promise<void> {
    if (connection.player) {
      this.sendError(connection, 'already_authenticated', 'this connection is already authenticated', 'auth');
      return;
    }
    connection.authenticating = true;
    let player: AuthenticatedPlayer;
    let token: string | undefined;
    try {
      if (message.token) {
        const claims = await this.deps.auth.authenticate(message.token);
        player = { id: claims.playerId, name: claims.displayName, isGuest: claims.isGuest };
      } else {
        const name = message.player_name ?? message.player_id;
        const guest = await this.deps.auth.guest(name ? { display_name: name.slice(0, 32) } : {}, { ip: connection.ip });
        player = { id: guest.player.id, name: guest.player.display_name, isGuest: true };
        token = guest.access_token;
      }
    } catch (error) {
      connection.authenticating = false;
      connection.queuedWhileAuthenticating.length = 0;
      const text = error instanceof AppError ? error.message : 'authentication is unavailable';
      if (!(error instanceof AppError)) this.deps.logger.error({ err: error }, 'websocket authentication failed');
      this.sendError(connection, 'auth_failed', text, 'auth');
      connection.close(CloseCode.AuthFailed, 'authentication failed');
      return;
    }
    connection.authenticating = false;
    if (!connection.open) return;
    this.bind(connection, player);
    connection.send({
      type: 'auth_ok',
      player_id: player.id,
      display_name: player.name,
      is_guest: player.isGuest,
      ...(token ? { token } : {}),
    });
    const queued = connection.queuedWhileAuthenticating.splice(0);
    for (const next of queued) this.handle(connection, next as ClientMessage);
  }

  /** Makes `connection` the player's live one; an older connection of the same player is closed. */
  private bind(connection: ClientConnection, player: AuthenticatedPlayer): void {
    connection.player = player;
    const previous = this.byPlayer.get(player.id);
    this.byPlayer.set(player.id, connection);
    if (previous && previous !== connection) {
      previous.room?.disconnect(player.id, previous);
      previous.room = undefined;
      previous.close(CloseCode.Replaced, 'connected again elsewhere');
    }
    if (!previous) this.markOnline(player.id, true);
  }

  private onClose(connection: ClientConnection, code: number): void {
    this.connections.delete(connection);
    this.deps.metrics.connectionsActive.dec();
    this.deps.metrics.disconnects.inc({ code: String(code) });
    const player = connection.player;
    if (!player) return;
    connection.room?.disconnect(player.id, connection);
    connection.room = undefined;
    if (this.byPlayer.get(player.id) === connection) {
      this.byPlayer.delete(player.id);
      this.markOnline(player.id, false);
    }
  }

  private chat(connection: ClientConnection, player: AuthenticatedPlayer, message: ClientMessageOf<'chat'>): void {
    const messageType = message.message_type ?? (message.room_id ? 'room' : 'global');
    const base = { from: { id: player.id, name: player.name }, message: message.message, sent_at: new Date().toISOString() };
    if (messageType === 'room') {
      if (!message.room_id) throw new RoomError('not_in_room', 'room chat needs a room_id');
      const room = this.roomOf(connection, message.room_id);
      room.broadcast({ type: 'chat', room_id: room.id, message_type: 'room', ...base });
      return;
    }
    const frameFor = sharedFrames({ type: 'chat', message_type: 'global', ...base });
    for (const other of this.byPlayer.values()) other.sendFrame(frameFor(other.encoding));
  }

  private relaySignal(
    connection: ClientConnection,
    player: AuthenticatedPlayer,
    message: ClientMessageOf<'webrtc_offer' | 'webrtc_answer' | 'webrtc_ice'>,
  ): void {
    const room = this.roomOf(connection, message.room_id);
    if (!room.hasMember(message.peer_id)) {
      throw new RoomError('peer_not_found', `player ${message.peer_id} is not in room ${room.id}`);
    }
    const relayed: ServerMessage =
      message.type === 'webrtc_ice'
        ? { type: 'webrtc_ice', room_id: room.id, from: player.id, candidate: message.candidate }
        : { type: message.type, room_id: room.id, from: player.id, sdp: message.sdp };
    room.sendTo(message.peer_id, relayed);
  }

  /** A room can drop a player by itself (HTTP leave, a called-off match): then the connection is in none. */
  private forgetRoomIfLeft(connection: ClientConnection, player: AuthenticatedPlayer): void {
    if (connection.room && !connection.room.hasMember(player.id)) connection.room = undefined;
  }

  private roomOf(connection: ClientConnection, roomId: string) {
    if (connection.player) this.forgetRoomIfLeft(connection, connection.player);
    const room = connection.room;
    if (!room || room.id !== roomId) throw new RoomError('not_in_room', `you are not in room ${roomId}`);
    return room;
  }

  /** Once a second: pings, heartbeat and auth timeouts, slow clients. */
  private sweep(): void {
    const now = Date.now();
    const timeoutMs = this.settings.connectionTimeout * 1000;
    const pingEvery = Math.max(1, Math.floor(this.settings.connectionTimeout / 3));
    const ping = ++this.sweeps % pingEvery === 0;
    for (const connection of this.connections) {
      if (!connection.player && !connection.authenticating && now - connection.connectedAt > AUTH_TIMEOUT_MS) {
        connection.close(CloseCode.AuthTimeout, 'no auth within 10 s');
      } else if (now - connection.lastSeenAt > timeoutMs) {
        connection.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
      } else if (connection.overflowing || (connection.congestedSince !== undefined && now - connection.congestedSince > SLOW_CLIENT_TIMEOUT_MS)) {
        this.dropSlow(connection);
      } else if (ping && connection.open) {
        connection.socket.ping();
      }
    }
  }

  private dropSlow(connection: ClientConnection): void {
    this.deps.metrics.slowClientsDropped.inc();
    connection.close(CloseCode.SlowClient, 'client too slow');
  }

  private sendError(connection: ClientConnection, code: Parameters<typeof errorMessage>[0], message: string, ref?: string): void {
    connection.send(errorMessage(code, message, ref));
  }

  private markOnline(playerId: string, online: boolean): void {
    this.deps.setOnline(playerId, online).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'updating presence failed'));
  }

  private clientIp(request: IncomingMessage): string {
    const forwarded = this.settings.trustProxy ? request.headers['x-forwarded-for'] : undefined;
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    return first || request.socket.remoteAddress || 'unknown';
  }
}

function errorMessage(code: Extract<ServerMessage, { type: 'error' }>['code'], message: string, ref?: string): ServerMessage {
  return { type: 'error', code, message, ...(ref ? { ref } : {}) };
}
