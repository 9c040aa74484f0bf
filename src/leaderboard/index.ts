import { rateMatch, ratingKindFor, type RatedPlayer, type RatingChange, type RatingPolicy } from '../rating/index.js';
import type { Database, Queryable } from '../store/index.js';

export interface LeaderboardEntry {
  rank: number;
  player_id: string;
  display_name: string;
  skill_rating: number;
  games_played: number;
}

interface GameRow {
  game_mode: string;
  status: string;
  rated_at: Date | null;
  results: { players?: { player_id: string; rank: number }[] } | null;
}

interface PlayerRatingRow {
  id: string;
  skill_rating: number;
  games_played: number;
  rating_mu: number | null;
  rating_sigma: number | null;
}

/**
 * Finished games → ratings → leaderboard. Rating a game happens in one transaction with a history row per
 * player, and at most once per game (games.rated_at plus the history key), so reporting twice is harmless.
 */
export class Leaderboard {
  constructor(
    private readonly db: Database,
    private readonly policy: RatingPolicy,
  ) {}

  /** Rates a finished game in its own transaction; returns the changes (none if already rated). */
  rateGame(gameId: string): Promise<RatingChange[]> {
    return this.db.transaction((tx) => this.rateGameIn(tx, gameId));
  }

  /** Rates a finished game inside the caller's transaction. */
  async rateGameIn(tx: Queryable, gameId: string): Promise<RatingChange[]> {
    const { rows } = await tx.query<GameRow>('SELECT game_mode, status, rated_at, results FROM games WHERE id = $1 FOR UPDATE', [gameId]);
    const game = rows[0];
    if (!game || game.status !== 'finished' || game.rated_at) return [];
    const placed = game.results?.players ?? [];
    const players = await this.lockPlayers(tx, placed.map((p) => p.player_id));
    const ranked = placed.filter((p) => players.has(p.player_id));
    let changes: RatingChange[] = [];
    if (ranked.length >= 2) {
      changes = rateMatch({ gameMode: game.game_mode, placements: this.placements(ranked, players) }, this.policy);
      const kind = ratingKindFor(game.game_mode, this.policy);
      for (const change of changes) await this.apply(tx, gameId, game.game_mode, kind, change);
    }
    await tx.query('UPDATE games SET rated_at = now() WHERE id = $1', [gameId]);
    return changes;
  }

  async top(limit: number, offset: number): Promise<LeaderboardEntry[]> {
    const { rows } = await this.db.query<Omit<LeaderboardEntry, 'rank'>>(
      `SELECT id AS player_id, display_name, skill_rating, games_played FROM players
       WHERE games_played > 0 ORDER BY skill_rating DESC, id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return rows.map((row, i) => ({ rank: offset + i + 1, ...row }));
  }

  private async lockPlayers(tx: Queryable, ids: string[]): Promise<Map<string, PlayerRatingRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await tx.query<PlayerRatingRow>(
      `SELECT id, skill_rating, games_played, rating_mu, rating_sigma FROM players WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Free-for-all: every player is its own placement; players with equal results share a rank (a tie). */
  private placements(ranked: { player_id: string; rank: number }[], players: Map<string, PlayerRatingRow>) {
    return ranked.map(({ player_id, rank }) => {
      const row = players.get(player_id)!;
      const rated: RatedPlayer = { playerId: row.id, rating: row.skill_rating, gamesPlayed: row.games_played };
      if (row.rating_mu !== null && row.rating_sigma !== null) Object.assign(rated, { mu: row.rating_mu, sigma: row.rating_sigma });
      return { rank, players: [rated] };
    });
  }

  private async apply(tx: Queryable, gameId: string, gameMode: string, kind: string, change: RatingChange): Promise<void> {
    await tx.query(
      `UPDATE players SET skill_rating = $2, games_played = games_played + 1,
         rating_mu = COALESCE($3, rating_mu), rating_sigma = COALESCE($4, rating_sigma)
       WHERE id = $1`,
      [change.playerId, change.after, change.mu ?? null, change.sigma ?? null],
    );
    await tx.query(
      `INSERT INTO rating_history (game_id, player_id, game_mode, rating_kind, rating_before, rating_after, delta, mu, sigma)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [gameId, change.playerId, gameMode, kind, change.before, change.after, change.delta, change.mu ?? null, change.sigma ?? null],
    );
  }
}
