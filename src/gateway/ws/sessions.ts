import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Cache } from '../../cache/index.js';

const CLAIMED_CHANNEL = 'sessions:claimed';
const ownerKey = (playerId: string) => `session:${playerId}`;
/** Long enough for any one connection; a later claim overwrites it anyway. */
const OWNER_TTL_SECONDS = 24 * 60 * 60;

interface Claim {
  player: string;
  session: string;
}

function isClaim(value: unknown): value is Claim {
  return typeof value === 'object' && value !== null && typeof (value as Claim).player === 'string' && typeof (value as Claim).session === 'string';
}

/**
 * One live connection per player across every process and node sharing the cache. Authenticating claims the
 * player's session: the claim is written to the cache, then announced; a gateway still holding an older
 * connection of that player checks the cache and closes it unless it is the one written last. Because the
 * cache's last write decides, two connections authenticating at once on two nodes leave exactly one open.
 */
export class SessionClaims {
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly cache: Pick<Cache, 'get' | 'set' | 'publish' | 'subscribe'>,
    private readonly logger: Logger,
  ) {}

  /** `claimed` hears of every claim, this process's own included. */
  async start(claimed: (playerId: string, session: string) => void): Promise<void> {
    this.unsubscribe = await this.cache.subscribe(CLAIMED_CHANNEL, (text) => {
      let claim: unknown;
      try {
        claim = JSON.parse(text);
      } catch {
        claim = undefined;
      }
      if (isClaim(claim)) claimed(claim.player, claim.session);
      else this.logger.warn('unreadable message on the session channel');
    });
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Makes a new session the player's live one everywhere and returns its id. */
  async claim(playerId: string): Promise<string> {
    const session = randomUUID();
    await this.cache.set(ownerKey(playerId), session, OWNER_TTL_SECONDS);
    await this.cache.publish(CLAIMED_CHANNEL, JSON.stringify({ player: playerId, session } satisfies Claim));
    return session;
  }

  /** Whether `session` is still the player's live one (the last claimed). */
  async isLive(playerId: string, session: string | undefined): Promise<boolean> {
    return (await this.cache.get(ownerKey(playerId))) === session;
  }
}
