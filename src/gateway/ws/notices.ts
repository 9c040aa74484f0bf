import { subscribeJson, type Cache } from '../../cache/index.js';
import type { ServerMessage } from '../../protocol/index.js';
import type { GatewayContext } from './context.js';
import type { PlayerSessions } from './session.js';

const PLAYER_NOTICE_CHANNEL = 'players:notice';

interface PublishedNotice {
  player_id: string;
  message: ServerMessage;
}

/**
 * Sends a notice to one player wherever they are connected: published through the cache, delivered by the
 * process (of whichever node) that holds the player's connection. Any part of the server may publish, also
 * before this node's gateway is up. A player who is offline misses it, so what it says must be readable over
 * HTTP too.
 */
export async function publishPlayerNotice(cache: Pick<Cache, 'publish'>, playerId: string, message: ServerMessage): Promise<void> {
  await cache.publish(PLAYER_NOTICE_CHANNEL, JSON.stringify({ player_id: playerId, message } satisfies PublishedNotice));
}

/** Delivers the published notices of the players connected to this process. */
export class PlayerNotices {
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly context: GatewayContext,
    private readonly sessions: PlayerSessions,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await subscribeJson<PublishedNotice>(
      this.context.deps.cache,
      PLAYER_NOTICE_CHANNEL,
      (notice) => this.sessions.connectionOf(notice.player_id)?.send(notice.message),
      () => this.context.deps.logger.warn('unreadable message on the player notice channel'),
    );
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }
}
