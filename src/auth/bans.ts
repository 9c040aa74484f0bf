import type { Ban } from '../api/index.js';
import type { Queryable } from '../store/index.js';

interface BanRow {
  player_id: string;
  reason: string;
  until: Date | null;
  banned_by: string | null;
  banned_at: Date;
}

const toBan = (row: BanRow): Ban => ({
  reason: row.reason,
  until: row.until?.toISOString() ?? null,
  by: row.banned_by,
  at: row.banned_at.toISOString(),
});

/** The condition of a ban in force at `now`: permanent or ending later. */
const IN_FORCE = '(until IS NULL OR until > $2)';

/** Player bans in SQL, the one source of truth every node reads at login. */
export const bans = {
  /** Bans the player, replacing a ban they already have. */
  async put(db: Queryable, playerId: string, ban: { reason: string; until: Date | null; by: string }): Promise<Ban> {
    const { rows } = await db.query<BanRow>(
      `INSERT INTO player_bans (player_id, reason, until, banned_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (player_id) DO UPDATE SET reason = EXCLUDED.reason, until = EXCLUDED.until, banned_by = EXCLUDED.banned_by, banned_at = now()
       RETURNING player_id, reason, until, banned_by, banned_at`,
      [playerId, ban.reason, ban.until, ban.by],
    );
    return toBan(rows[0]!);
  },

  /** Lifts the player's ban; false when they had none. */
  async lift(db: Queryable, playerId: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM player_bans WHERE player_id = $1', [playerId]);
    return rowCount > 0;
  },

  async inForce(db: Queryable, playerId: string, now: Date): Promise<Ban | undefined> {
    const { rows } = await db.query<BanRow>(`SELECT * FROM player_bans WHERE player_id = $1 AND ${IN_FORCE}`, [playerId, now]);
    return rows[0] && toBan(rows[0]);
  },

  /** The bans in force of several players, by player id. */
  async inForceOf(db: Queryable, playerIds: readonly string[], now: Date): Promise<Map<string, Ban>> {
    if (playerIds.length === 0) return new Map();
    const { rows } = await db.query<BanRow>(`SELECT * FROM player_bans WHERE player_id = ANY($1::uuid[]) AND ${IN_FORCE}`, [playerIds, now]);
    return new Map(rows.map((row) => [row.player_id, toBan(row)]));
  },
};

/** What a banned player is told: the reason and until when. */
export const banMessage = (ban: Ban) => `you are banned ${ban.until ? `until ${ban.until}` : 'permanently'}: ${ban.reason}`;
