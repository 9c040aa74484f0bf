import { AppError } from '../../errors/index.js';
import type { ClientMessageOf, Expulsion } from '../../protocol/index.js';
import { CloseCode, type AuthenticatedPlayer, type ClientConnection } from './connection.js';
import type { GatewayContext } from './context.js';
import { SessionClaims } from './sessions.js';

/**
 * Who is connected: authenticates connections, keeps each player's one live connection (a newer one, here or on
 * any node, replaces an older one), and marks players online and offline.
 */
export class PlayerSessions {
  /** The live connection of each authenticated player on this process. */
  private readonly byPlayer = new Map<string, ClientConnection>();
  private readonly claims: SessionClaims;

  constructor(private readonly context: GatewayContext) {
    this.claims = new SessionClaims(context.deps.cache, context.deps.logger);
  }

  async start(): Promise<void> {
    await this.claims.start((playerId, session) => {
      this.onClaimed(playerId, session).catch((error: unknown) =>
        this.context.deps.logger.warn({ err: error, player: playerId }, 'checking a session claim failed'),
      );
    });
  }

  stop(): Promise<void> {
    return this.claims.stop();
  }

  connectionOf(playerId: string): ClientConnection | undefined {
    return this.byPlayer.get(playerId);
  }

  connections(): IterableIterator<ClientConnection> {
    return this.byPlayer.values();
  }

  async authenticate(connection: ClientConnection, message: ClientMessageOf<'auth'>): Promise<void> {
    const { auth, logger } = this.context.deps;
    if (connection.state.kind !== 'unauthenticated') {
      this.context.sendError(connection, 'already_authenticated', 'this connection is already authenticated', 'auth');
      return;
    }
    connection.state = { kind: 'authenticating', held: [] };
    let player: AuthenticatedPlayer;
    let token: string | undefined;
    try {
      if (message.token) {
        const claims = await auth.authenticate(message.token);
        player = { id: claims.playerId, name: claims.displayName, isGuest: claims.isGuest };
      } else {
        const name = message.player_name ?? message.player_id;
        const guest = await auth.guest(name ? { display_name: name.slice(0, 32) } : {}, { ip: connection.ip });
        player = { id: guest.player.id, name: guest.player.display_name, isGuest: true };
        token = guest.access_token;
      }
    } catch (error) {
      connection.state = { kind: 'unauthenticated' };
      const text = error instanceof AppError ? error.message : 'authentication is unavailable';
      if (!(error instanceof AppError)) logger.error({ err: error }, 'websocket authentication failed');
      this.context.sendError(connection, 'auth_failed', text, 'auth');
      connection.close(CloseCode.AuthFailed, 'authentication failed');
      return;
    }
    let session: string | undefined;
    try {
      session = await this.claims.claim(player.id);
    } catch (error) {
      // Logging in still works; only an older connection of the player on another node may stay open.
      logger.warn({ err: error, player: player.id }, 'claiming the session failed');
    }
    const held = connection.held ?? [];
    if (!connection.open) return;
    this.bind(connection, player, session);
    connection.send({ type: 'auth_ok', player_id: player.id, display_name: player.name, is_guest: player.isGuest, ...(token ? { token } : {}) });
    for (const notice of this.context.deps.noticesOnConnect(player.id)) connection.send(notice);
    this.context.handleAll(connection, held);
    // A newer claim announced while this one was being written found nothing bound here yet: check once now.
    this.closeIfSuperseded(player.id).catch((error: unknown) =>
      logger.warn({ err: error, player: player.id }, 'checking a session claim failed'),
    );
  }

  /** Makes `connection` the player's live one; an older connection of the same player is closed. */
  bind(connection: ClientConnection, player: AuthenticatedPlayer, session: string | undefined): void {
    connection.state = { kind: 'ready', player, session, room: undefined };
    const previous = this.byPlayer.get(player.id);
    this.byPlayer.set(player.id, connection);
    if (previous && previous !== connection) this.replace(previous, player.id);
    if (!previous) this.markOnline(player.id, true);
  }

  /** The connection closed: its seat waits for a reconnect, and the player is offline unless it is connected again. */
  closed(connection: ClientConnection): void {
    const player = connection.player;
    if (!player) return;
    connection.room?.disconnect(player.id, connection);
    connection.state = { kind: 'unauthenticated' };
    if (this.byPlayer.get(player.id) === connection) {
      this.byPlayer.delete(player.id);
      this.markOnline(player.id, false);
    }
  }

  /**
   * An operator sent the player away: their seat is given up (room_left), they get an error with `code`, and
   * the connection closes with 4003, which the SDK does not reconnect after.
   */
  expel(playerId: string, code: Expulsion, message: string): void {
    const connection = this.byPlayer.get(playerId);
    if (!connection) return;
    const room = connection.room;
    if (room?.hasMember(playerId)) room.leave(playerId, 'left');
    this.context.sendError(connection, code, message);
    connection.close(CloseCode.AuthFailed, code);
  }

  /** The connection moved to another process: forgotten here without marking the player offline. */
  released(connection: ClientConnection, playerId: string): void {
    if (this.byPlayer.get(playerId) === connection) this.byPlayer.delete(playerId);
  }

  /** Another connection of this player claimed its session somewhere: an older one here closes. */
  private async onClaimed(playerId: string, session: string): Promise<void> {
    const local = this.byPlayer.get(playerId);
    if (local && this.sessionOf(local) !== session) await this.closeIfSuperseded(playerId);
  }

  /** Closes this process's connection of the player unless its session is the one claimed last. */
  private async closeIfSuperseded(playerId: string): Promise<void> {
    const local = this.byPlayer.get(playerId);
    const localSession = local && this.sessionOf(local);
    // Without a session (the claim failed) there is nothing to compare: the connection stays.
    if (!local || !localSession || (await this.claims.isLive(playerId, localSession))) return;
    if (this.byPlayer.get(playerId) !== local) return;
    // The player is online on the newer connection: forgotten here without marking them offline.
    this.byPlayer.delete(playerId);
    this.replace(local, playerId);
  }

  private sessionOf(connection: ClientConnection): string | undefined {
    return 'session' in connection.state ? connection.state.session : undefined;
  }

  private replace(connection: ClientConnection, playerId: string): void {
    const room = connection.room;
    if (room) {
      room.disconnect(playerId, connection);
      connection.leftRoom(room.id);
    }
    connection.close(CloseCode.Replaced, 'connected again elsewhere');
  }

  private markOnline(playerId: string, online: boolean): void {
    this.context.deps.setOnline(playerId, online).catch((error: unknown) => this.context.deps.logger.warn({ err: error }, 'updating presence failed'));
  }
}
