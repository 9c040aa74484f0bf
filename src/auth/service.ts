import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthResult, Player } from '../api/index.js';
import type { Cache } from '../cache/index.js';
import { AppError, unauthorized } from '../errors/index.js';
import type { Database } from '../store/index.js';
import { banMessage, bans } from './bans.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { RateLimiter } from './rate-limit.js';
import { players, sessions, type PlayerRow } from './repository.js';
import type { AccessClaims, TokenIssuer } from './tokens.js';

/** Who is calling and from where, for rate limits and the session record. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export interface AuthLimits {
  perIp: number;
  perAccount: number;
  windowSeconds: number;
}

type AuthKind = 'register' | 'login' | 'guest' | 'refresh';
type RefreshRefusal = 'unknown_session' | 'session_revoked' | 'session_expired' | 'refresh_token_reused';

const revokedKey = (sessionId: string) => `session:revoked:${sessionId}`;

function toPublic(row: PlayerRow): Player {
  return {
    id: row.id,
    email: row.email,
    display_name: row.display_name,
    is_guest: row.is_guest,
    skill_rating: row.skill_rating,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * Accounts and sessions: register, login, guest play, refresh-token rotation with reuse detection, logout,
 * and access-token checks for every other subsystem.
 */
export class AuthService {
  // Verified when an email is unknown, so a miss costs as much time as a wrong password.
  private readonly decoyHash = hashPassword(randomBytes(16).toString('hex'));

  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
    private readonly tokens: TokenIssuer,
    private readonly limiter: RateLimiter,
    private readonly limits: AuthLimits,
    private readonly onAttempt: (kind: AuthKind, outcome: string) => void = () => undefined,
  ) {}

  async register(
    input: { email: string; password: string; display_name?: string },
    client: ClientInfo,
  ): Promise<AuthResult> {
    const email = input.email.trim().toLowerCase();
    await this.limit('register', client, email);
    const displayName = input.display_name?.trim() || email.split('@')[0]!;
    const row = await players.insert(this.db, {
      email,
      displayName,
      passwordHash: await hashPassword(input.password),
      isGuest: false,
    });
    if (!row) {
      this.onAttempt('register', 'email_taken');
      throw new AppError('conflict', 'email_taken', 'an account with this email already exists');
    }
    this.onAttempt('register', 'ok');
    return this.startSession(row, client);
  }

  async login(input: { email: string; password: string }, client: ClientInfo): Promise<AuthResult> {
    const email = input.email.trim().toLowerCase();
    await this.limit('login', client, email);
    const row = await players.byEmail(this.db, email);
    const valid = await verifyPassword(input.password, row?.password_hash ?? (await this.decoyHash));
    if (!row || !valid) {
      this.onAttempt('login', 'invalid_credentials');
      throw unauthorized('invalid_credentials', 'email or password is incorrect');
    }
    const ban = await bans.inForce(this.db, row.id, new Date());
    if (ban) {
      this.onAttempt('login', 'banned');
      throw new AppError('forbidden', 'banned', banMessage(ban));
    }
    await players.touchLogin(this.db, row.id);
    this.onAttempt('login', 'ok');
    return this.startSession(row, client);
  }

  /** Quick play: a fresh guest account with no email or password. */
  async guest(input: { display_name?: string }, client: ClientInfo): Promise<AuthResult> {
    await this.limit('guest', client);
    const displayName = input.display_name?.trim() || `Guest-${randomBytes(3).toString('hex')}`;
    const row = await players.insert(this.db, { email: null, displayName, passwordHash: null, isGuest: true });
    if (!row) throw new Error('guest insert returned no row');
    this.onAttempt('guest', 'ok');
    return this.startSession(row, client);
  }

  /**
   * Exchanges a refresh token for a new pair. Only the newest token of a session is valid: presenting an
   * older one means it leaked, so the whole session is revoked and every token of it stops working.
   */
  async refresh(refreshToken: string): Promise<AuthResult> {
    const claims = await this.tokens.verifyRefresh(refreshToken);
    const outcome = await this.db.transaction(async (tx) => {
      const session = await sessions.lock(tx, claims.sessionId);
      const refused = (error: RefreshRefusal) => ({ ok: false as const, error });
      if (!session || session.player_id !== claims.playerId) return refused('unknown_session');
      if (session.revoked_at) return refused('session_revoked');
      if (session.expires_at.getTime() <= Date.now()) return refused('session_expired');
      if (session.current_token_id !== claims.tokenId) {
        await sessions.revoke(tx, session.id, 'refresh_token_reused');
        return refused('refresh_token_reused');
      }
      const tokenId = randomUUID();
      await sessions.rotate(tx, session.id, tokenId, this.tokens.refreshTokenTtl);
      const player = await players.byId(tx, session.player_id);
      return player ? { ok: true as const, player, tokenId } : refused('unknown_session');
    });
    this.onAttempt('refresh', outcome.ok ? 'ok' : outcome.error);
    if (!outcome.ok) {
      if (outcome.error === 'refresh_token_reused') {
        await this.markRevoked(claims.sessionId);
        throw unauthorized('refresh_token_reused', 'refresh token was already used; the session has been revoked');
      }
      throw unauthorized(outcome.error, {
        unknown_session: 'refresh token does not belong to a known session',
        session_revoked: 'session has been revoked; log in again',
        session_expired: 'session has expired; log in again',
      }[outcome.error]);
    }
    return this.issue(outcome.player, claims.sessionId, outcome.tokenId);
  }

  /** Ends the session the refresh token belongs to; its access tokens stop working at once. */
  async logout(refreshToken: string): Promise<void> {
    const claims = await this.tokens.verifyRefresh(refreshToken);
    await sessions.revoke(this.db, claims.sessionId, 'logout');
    await this.markRevoked(claims.sessionId);
  }

  /**
   * Ends every session of the player at once, on every node: refresh tokens are refused from now on and access
   * tokens at their next check (the revocation is in the shared cache). Resolves with how many sessions ended.
   */
  async endSessions(playerId: string, reason: string): Promise<number> {
    const ended = await sessions.revokeAllOf(this.db, playerId, reason);
    await Promise.all(ended.map((sessionId) => this.markRevoked(sessionId)));
    return ended.length;
  }

  /** Verifies an access token and that its session is still live. */
  async authenticate(accessToken: string): Promise<AccessClaims> {
    const claims = await this.tokens.verifyAccess(accessToken);
    if (await this.cache.get(revokedKey(claims.sessionId))) {
      throw unauthorized('session_revoked', 'session has been revoked; log in again');
    }
    return claims;
  }

  async profile(playerId: string): Promise<Player> {
    const row = await players.byId(this.db, playerId);
    if (!row) throw new AppError('not_found', 'player_not_found', 'player no longer exists');
    return toPublic(row);
  }

  private async startSession(row: PlayerRow, client: ClientInfo): Promise<AuthResult> {
    const sessionId = randomUUID();
    const tokenId = randomUUID();
    await sessions.insert(this.db, {
      id: sessionId,
      playerId: row.id,
      tokenId,
      ttlSeconds: this.tokens.refreshTokenTtl,
      clientIp: client.ip,
      userAgent: client.userAgent?.slice(0, 512),
    });
    return this.issue(row, sessionId, tokenId);
  }

  private async issue(row: PlayerRow, sessionId: string, tokenId: string): Promise<AuthResult> {
    const [access, refresh] = await Promise.all([
      this.tokens.issueAccess({ playerId: row.id, sessionId, displayName: row.display_name, isGuest: row.is_guest }),
      this.tokens.issueRefresh({ playerId: row.id, sessionId, tokenId }),
    ]);
    return {
      player: toPublic(row),
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.tokens.accessTokenTtl,
    };
  }

  /** Access tokens are stateless; a revoked session is remembered until its last access token has expired. */
  private markRevoked(sessionId: string): Promise<void> {
    return this.cache.set(revokedKey(sessionId), '1', this.tokens.accessTokenTtl);
  }

  private async limit(kind: AuthKind, client: ClientInfo, account?: string): Promise<void> {
    const { perIp, perAccount, windowSeconds } = this.limits;
    try {
      await this.limiter.consume(kind, [
        { scope: 'ip', subject: client.ip, max: perIp, windowSeconds },
        ...(account ? [{ scope: 'account', subject: account, max: perAccount, windowSeconds }] : []),
      ]);
    } catch (error) {
      if (error instanceof AppError) this.onAttempt(kind, error.code);
      throw error;
    }
  }
}
