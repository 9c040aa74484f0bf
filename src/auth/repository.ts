import type { Queryable } from '../store/index.js';

export interface PlayerRow {
  id: string;
  email: string | null;
  display_name: string;
  password_hash: string | null;
  is_guest: boolean;
  skill_rating: number;
  is_online: boolean;
  created_at: Date;
}

export interface SessionRow {
  id: string;
  player_id: string;
  current_token_id: string;
  generation: number;
  expires_at: Date;
  revoked_at: Date | null;
}

const PLAYER_COLUMNS = 'id, email, display_name, password_hash, is_guest, skill_rating, is_online, created_at';

/** SQL for players and refresh sessions; every statement is parameterised. */
export const players = {
  async insert(
    db: Queryable,
    player: { email: string | null; displayName: string; passwordHash: string | null; isGuest: boolean },
  ): Promise<PlayerRow | undefined> {
    const { rows } = await db.query<PlayerRow>(
      `INSERT INTO players (email, display_name, password_hash, is_guest)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING
       RETURNING ${PLAYER_COLUMNS}`,
      [player.email, player.displayName, player.passwordHash, player.isGuest],
    );
    return rows[0];
  },

  async byEmail(db: Queryable, email: string): Promise<PlayerRow | undefined> {
    const { rows } = await db.query<PlayerRow>(`SELECT ${PLAYER_COLUMNS} FROM players WHERE email = $1`, [email]);
    return rows[0];
  },

  async byId(db: Queryable, id: string): Promise<PlayerRow | undefined> {
    const { rows } = await db.query<PlayerRow>(`SELECT ${PLAYER_COLUMNS} FROM players WHERE id = $1`, [id]);
    return rows[0];
  },

  async setOnline(db: Queryable, id: string, online: boolean): Promise<void> {
    await db.query('UPDATE players SET is_online = $2 WHERE id = $1', [id, online]);
  },

  async touchLogin(db: Queryable, id: string): Promise<void> {
    await db.query('UPDATE players SET last_login_at = now() WHERE id = $1', [id]);
  },
};

export const sessions = {
  async insert(
    db: Queryable,
    session: { id: string; playerId: string; tokenId: string; ttlSeconds: number; clientIp: string; userAgent: string | undefined },
  ): Promise<void> {
    await db.query(
      `INSERT INTO refresh_sessions (id, player_id, current_token_id, expires_at, client_ip, user_agent)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)`,
      [session.id, session.playerId, session.tokenId, session.ttlSeconds, session.clientIp, session.userAgent ?? null],
    );
  },

  /** Locks the session row for the rest of the transaction so concurrent refreshes serialise. */
  async lock(db: Queryable, id: string): Promise<SessionRow | undefined> {
    const { rows } = await db.query<SessionRow>(
      `SELECT id, player_id, current_token_id, generation, expires_at, revoked_at
       FROM refresh_sessions WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0];
  },

  async rotate(db: Queryable, id: string, tokenId: string, ttlSeconds: number): Promise<void> {
    await db.query(
      `UPDATE refresh_sessions
       SET current_token_id = $2, generation = generation + 1, rotated_at = now(),
           expires_at = now() + make_interval(secs => $3)
       WHERE id = $1`,
      [id, tokenId, ttlSeconds],
    );
  },

  async revoke(db: Queryable, id: string, reason: string): Promise<void> {
    await db.query(
      'UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, reason],
    );
  },

  /** Revokes every live session of the player; resolves with their ids. */
  async revokeAllOf(db: Queryable, playerId: string, reason: string): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      'UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = $2 WHERE player_id = $1 AND revoked_at IS NULL RETURNING id',
      [playerId, reason],
    );
    return rows.map((row) => row.id);
  },
};
