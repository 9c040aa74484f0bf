import { subscribeJson, type Cache } from '../../cache/index.js';
import type { Expulsion, ServerMessage } from '../../protocol/index.js';
import type { GatewayContext } from './context.js';
import type { PlayerSessions } from './session.js';

const PLAYER_NOTICE_CHANNEL = 'players:notice';
const PLAYER_EXPULSION_CHANNEL = 'players:expel';

interface PublishedExpulsion {
  player_id: string;
  code: Expulsion;
  message: string;
}

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

/**
 * Closes the player's connection wherever it is, after an `error` message with `code` and `message`; their seat
 * is given up. Published like a notice, acted on by the process holding the connection.
 */
export async function publishPlayerExpulsion(cache: Pick<Cache, 'publish'>, playerId: string, code: Expulsion, message: string): Promise<void> {
  await cache.publish(PLAYER_EXPULSION_CHANNEL, JSON.stringify({ player_id: playerId, code, message } satisfies PublishedExpulsion));
}

/** Delivers the published notices and expulsions of the players connected to this process. */
export class PlayerNotices {
  private readonly unsubscribes: (() => Promise<void>)[] = [];

  constructor(
    private readonly context: GatewayContext,
    private readonly sessions: PlayerSessions,
  ) {}

  async start(): Promise<void> {
    const { cache, logger } = this.context.deps;
    this.unsubscribes.push(
      await subscribeJson<PublishedNotice>(
        cache,
        PLAYER_NOTICE_CHANNEL,
        (notice) => this.sessions.connectionOf(notice.player_id)?.send(notice.message),
        () => logger.warn('unreadable message on the player notice channel'),
      ),
      await subscribeJson<PublishedExpulsion>(
        cache,
        PLAYER_EXPULSION_CHANNEL,
        (expulsion) => this.sessions.expel(expulsion.player_id, expulsion.code, expulsion.message),
        () => logger.warn('unreadable message on the player expulsion channel'),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.unsubscribes.splice(0).map((unsubscribe) => unsubscribe()));
  }
}
