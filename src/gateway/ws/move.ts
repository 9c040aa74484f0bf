import type { ClientMessage, Encoding } from '../../protocol/index.js';
import type { MovedConnection, RoomLocation, SocketHandle } from '../../rooms/index.js';
import type { TransportSocket, WebSocketTransport } from '../../transport/index.js';
import { CloseCode, type ClientConnection } from './connection.js';
import type { GatewayContext } from './context.js';
import type { PlayerSessions } from './session.js';

const MOVE_TIMEOUT_MS = 2_000;

/** The part of the gateway that owns this process's connections. */
export interface ConnectionHost {
  /** Registers a socket as a connection of this process; undefined when it was turned away (server full). */
  register(socket: TransportSocket, encoding: Encoding, ip: string): ClientConnection | undefined;
  /** Drops a connection whose socket left this process. */
  forget(connection: ClientConnection): void;
  closed(): boolean;
}

/**
 * Moving connections between the processes of one host: a player joining a room that a sibling process hosts
 * goes there with its socket, and the messages that followed its join go with it.
 */
export class ConnectionMoves {
  constructor(
    private readonly context: GatewayContext,
    private readonly sessions: PlayerSessions,
    private readonly host: ConnectionHost,
    private readonly transport: WebSocketTransport,
  ) {}

  /**
   * Sends the connection to the process hosting the room it joins. Until the socket has left, further messages
   * are held and travel with it; if it cannot leave cleanly it is closed and the client reconnects.
   */
  move(connection: ClientConnection, to: Extract<RoomLocation, { kind: 'sibling' }>, join: ClientMessage, held: ClientMessage[]): void {
    const { state } = connection;
    if (state.kind !== 'joining') return;
    const { player, session } = state;
    connection.state = { kind: 'moving', player, session, held: [join, ...held] };
    const detached = connection.socket.detach?.(MOVE_TIMEOUT_MS) ?? Promise.reject(new Error(`a ${this.transport.name} socket cannot move`));
    detached.then(
      (handle) => {
        const messages = connection.held ?? [];
        this.release(connection, player.id);
        this.context.deps.rooms.transfer(to, { player, encoding: connection.encoding, ip: connection.ip, messages, session }, handle);
      },
      (error: unknown) => {
        this.context.deps.logger.warn({ err: error, player: player.id }, 'moving a connection to its room failed');
        connection.state = { kind: 'ready', player, session, room: undefined };
        connection.close(CloseCode.TryAgainLater, 'could not reach the room; reconnect');
      },
    );
  }

  /** Takes over a connection a sibling process moved here and handles the messages that came with it. */
  adopt(handle: SocketHandle, moved: MovedConnection): void {
    const { logger, metrics } = this.context.deps;
    let socket: TransportSocket;
    try {
      if (!this.transport.adopt) throw new Error(`a ${this.transport.name} transport cannot take sockets of other processes`);
      socket = this.transport.adopt(handle, moved.ip);
    } catch (error) {
      logger.error({ err: error }, 'taking over a moved connection failed');
      return;
    }
    if (this.host.closed()) {
      socket.close(CloseCode.GoingAway, 'server shutting down');
      return;
    }
    const connection = this.host.register(socket, moved.encoding, moved.ip);
    if (!connection) return;
    metrics.connectionsMoved.inc({ direction: moved.bounced ? 'bounced' : 'in' });
    this.sessions.bind(connection, moved.player, moved.session);
    if (moved.bounced) {
      this.context.sendError(connection, 'server_error', 'the process hosting this room is not available; try again', 'join_room');
      return;
    }
    this.context.handleAll(connection, moved.messages);
  }

  /** Forgets a connection whose socket moved to another process: no disconnect, the player stays online. */
  private release(connection: ClientConnection, playerId: string): void {
    connection.state = { kind: 'moved' };
    this.host.forget(connection);
    this.context.deps.metrics.connectionsMoved.inc({ direction: 'out' });
    this.sessions.released(connection, playerId);
  }
}
