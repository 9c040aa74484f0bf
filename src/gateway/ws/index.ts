import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AuthService } from '../../auth/index.js';
import type { Cache } from '../../cache/index.js';
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
import { adoptSocket, detachSocket, type SocketHandle } from './handoff.js';
import { SessionClaims } from './sessions.js';

export { CloseCode } from './connection.js';
export type { SocketHandle } from './handoff.js';

/** A connection on its way to the process hosting the room it joins. */
export interface MovedConnection {
  player: AuthenticatedPlayer;
  encoding: Encoding;
  ip: string;
  /** What to handle on arrival, in order: the join_room first, then whatever followed it. */
  messages: ClientMessage[];
  /** The session the connection claimed when it authenticated (it stays the same one). */
  session: string | undefined;
  /** Set when the target process was gone and the connection came back to where it started. */
  bounced?: boolean;
}

/** Moves connections between the processes of one host (src/cluster); absent when the node is one process. */
export interface ConnectionMover {
  /** The sibling process hosting `roomId`; undefined when it is this process or the id names none. */
  siblingHosting(roomId: string): number | undefined;
  move(target: number, connection: MovedConnection, handle: SocketHandle): void;
}

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
  /** Carries global chat and session claims to every node (and every process of this one). */
  cache: Pick<Cache, 'get' | 'set' | 'publish' | 'subscribe'>;
  mover?: ConnectionMover;
  /** Marks a player online/offline in storage; failures are only logged. */
  setOnline(playerId: string, online: boolean): Promise<void>;
}

const AUTH_TIMEOUT_MS = 10_000;
const SLOW_CLIENT_TIMEOUT_MS = 5_000;
const CONGESTION_BYTES = 64 * 1024;
const MAX_HELD_MESSAGES = 32;
const MOVE_TIMEOUT_MS = 2_000;
const GLOBAL_CHAT_CHANNEL = 'chat:global';

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
  private unsubscribeChat: (() => Promise<void>) | undefined;
  private readonly sessions: SessionClaims;
  private closed = false;

  constructor(
    private readonly server: Server,
    private readonly settings: WebSocketSettings,
    private readonly deps: WebSocketDeps,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // Connections are tracked here (ws' own set would keep the ones that moved to another process).
      clientTracking: false,
      maxPayload: settings.maxMessageSize,
      perMessageDeflate: settings.enableCompression ? { threshold: 256 } : false,
      handleProtocols: (protocols) =>
        protocols.has(BINARY_SUBPROTOCOL) ? BINARY_SUBPROTOCOL : protocols.has(JSON_SUBPROTOCOL) ? JSON_SUBPROTOCOL : false,
    });
    this.sessions = new SessionClaims(deps.cache, deps.logger);
    server.on('upgrade', this.onUpgrade);
    this.sweeper = setInterval(() => this.sweep(), 1_000).unref();
  }

  /** Subscribes to global chat and session claims; call once before serving. */
  async start(): Promise<void> {
    await this.sessions.start((playerId, session) => {
      this.onClaimed(playerId, session).catch((error: unknown) => this.deps.logger.warn({ err: error, player: playerId }, 'checking a session claim failed'));
    });
    this.unsubscribeChat = await this.deps.cache.subscribe(GLOBAL_CHAT_CHANNEL, (text) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(text) as ServerMessage;
      } catch {
        this.deps.logger.warn('unreadable message on the global chat channel');
        return;
      }
      const frameFor = sharedFrames(message);
      for (const other of this.byPlayer.values()) other.sendFrame(frameFor(other.encoding));
    });
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
    this.closed = true;
    this.server.off('upgrade', this.onUpgrade);
    clearInterval(this.sweeper);
    await this.unsubscribeChat?.();
    await this.sessions.stop();
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
    this.register(ws, ws.protocol === BINARY_SUBPROTOCOL ? 'msgpack' : 'json', this.clientIp(request));
  }

  /**
   * Takes over a connection another process of this host moved here (its player joins a room hosted here)
   * and handles the messages that came with it.
   */
  adopt(handle: SocketHandle, moved: MovedConnection): void {
    let ws: WebSocket;
    try {
      ws = adoptSocket(handle, this.wss.options);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'taking over a moved connection failed');
      return;
    }
    if (this.closed) {
      ws.close(CloseCode.GoingAway, 'server shutting down');
      return;
    }
    const connection = this.register(ws, moved.encoding, moved.ip);
    if (!connection) return;
    this.deps.metrics.connectionsMoved.inc({ direction: moved.bounced ? 'bounced' : 'in' });
    connection.session = moved.session;
    this.bind(connection, moved.player);
    if (moved.bounced) {
      this.sendError(connection, 'server_error', 'the process hosting this room is not available; try again', 'join_room');
      return;
    }
    this.handleAll(connection, moved.messages);
  }

  private register(ws: WebSocket, encoding: Encoding, ip: string): ClientConnection | undefined {
    const { metrics } = this.deps;
    const connection = new ClientConnection(
      ws,
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
    ws.on('error', (error) => this.deps.logger.debug({ err: error }, 'websocket error'));
    if (this.connections.size >= this.settings.maxConnections) {
      metrics.disconnects.inc({ code: String(CloseCode.TryAgainLater) });
      connection.close(CloseCode.TryAgainLater, 'server full');
      return undefined;
    }
    this.connections.add(connection);
    metrics.connectionsActive.inc();
    ws.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    ws.on('pong', () => {
      connection.lastSeenAt = Date.now();
    });
    ws.on('close', (code) => this.onClose(connection, code));
    return connection;
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
    if (connection.held) {
      if (connection.held.length >= MAX_HELD_MESSAGES) {
        this.sendError(connection, 'rate_limited', 'too many messages while authenticating or joining', message.type);
      } else {
        connection.held.push(message);
      }
      return;
    }
    this.handle(connection, message);
  }

  /** Handles messages in order; once one starts a move, the rest travel with the connection. */
  private handleAll(connection: ClientConnection, messages: readonly ClientMessage[]): void {
    for (const message of messages) {
      if (connection.held) connection.held.push(message);
      else this.handle(connection, message);
    }
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
        const host = connection.room ? undefined : this.deps.mover?.siblingHosting(message.room_id);
        if (host !== undefined) {
          this.move(connection, player, host, message);
          return;
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
    connection.held = [];
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
      connection.held = undefined;
      const text = error instanceof AppError ? error.message : 'authentication is unavailable';
      if (!(error instanceof AppError)) this.deps.logger.error({ err: error }, 'websocket authentication failed');
      this.sendError(connection, 'auth_failed', text, 'auth');
      connection.close(CloseCode.AuthFailed, 'authentication failed');
      return;
    }
    try {
      connection.session = await this.sessions.claim(player.id);
    } catch (error) {
      // Logging in still works; only an older connection of the player on another node may stay open.
      this.deps.logger.warn({ err: error, player: player.id }, 'claiming the session failed');
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
    const held = connection.held ?? [];
    connection.held = undefined;
    this.handleAll(connection, held);
  }

  /**
   * Sends the connection to the process hosting the room it joins. Until the socket has left, further
   * messages are held and travel with it; if it cannot leave cleanly it is closed and the client reconnects.
   */
  private move(connection: ClientConnection, player: AuthenticatedPlayer, target: number, join: ClientMessage): void {
    const mover = this.deps.mover!;
    connection.held = [join];
    detachSocket(connection.socket, MOVE_TIMEOUT_MS).then(
      (handle) => {
        const messages = connection.held ?? [];
        this.release(connection);
        mover.move(target, { player, encoding: connection.encoding, ip: connection.ip, messages, session: connection.session }, handle);
      },
      (error: unknown) => {
        this.deps.logger.warn({ err: error, player: player.id }, 'moving a connection to its room failed');
        connection.held = undefined;
        connection.close(CloseCode.TryAgainLater, 'could not reach the room; reconnect');
      },
    );
  }

  /** Forgets a connection whose socket moved to another process: no disconnect, the player stays online. */
  private release(connection: ClientConnection): void {
    connection.detached = true;
    this.connections.delete(connection);
    this.deps.metrics.connectionsActive.dec();
    this.deps.metrics.connectionsMoved.inc({ direction: 'out' });
    if (connection.player && this.byPlayer.get(connection.player.id) === connection) this.byPlayer.delete(connection.player.id);
  }

  /** Makes `connection` the player's live one; an older connection of the same player is closed. */
  private bind(connection: ClientConnection, player: AuthenticatedPlayer): void {
    connection.player = player;
    const previous = this.byPlayer.get(player.id);
    this.byPlayer.set(player.id, connection);
    if (previous && previous !== connection) this.replace(previous, player.id);
    if (!previous) this.markOnline(player.id, true);
  }

  /** Another connection of this player claimed its session somewhere: an older one here closes. */
  private async onClaimed(playerId: string, session: string): Promise<void> {
    const local = this.byPlayer.get(playerId);
    if (!local || local.session === session) return;
    if (await this.sessions.isLive(playerId, local.session)) return; // it claimed after the announced one
    if (this.byPlayer.get(playerId) !== local) return;
    // The player is online on the newer connection: forgotten here without marking them offline.
    this.byPlayer.delete(playerId);
    this.replace(local, playerId);
  }

  private replace(connection: ClientConnection, playerId: string): void {
    connection.room?.disconnect(playerId, connection);
    connection.room = undefined;
    connection.close(CloseCode.Replaced, 'connected again elsewhere');
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
    const published: ServerMessage = { type: 'chat', message_type: 'global', ...base };
    this.deps.cache.publish(GLOBAL_CHAT_CHANNEL, JSON.stringify(published)).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'publishing global chat failed');
      this.sendError(connection, 'server_error', 'chat is unavailable right now', 'chat');
    });
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
