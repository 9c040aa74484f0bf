import { fieldOutcome, rateMatch, ratingKindFor, type FieldOutcome, type MatchOutcome, type RatedPlayer, type RatingChange, type RatingKind, type RatingPolicy } from '../rating/index.js';
import type { Database, Queryable } from '../store/index.js';

/** A finished game's placed players: `team` set in team modes, where the team's rank is every member's. */
interface PlacedPlayer {
  player_id: string;
  rank: number;
  team?: number;
}

export interface LeaderboardEntry {
  rank: number;
  player_id: string;
  display_name: string;
  skill_rating: number;
  games_played: number;
}

/** What a rated game did to each player, for what is fed by ratings (the rating boards, the league). */
export interface RatedGame {
  gameId: string;
  gameMode: string;
  region: string;
  changes: RatingChange[];
  players: RatedResult[];
}

export interface RatedResult {
  playerId: string;
  outcome: FieldOutcome;
  /** The rating in the game's mode after the game. */
  rating: number;
  /** Rated games in the mode, this one included. */
  gamesPlayed: number;
}

interface GameRow {
  game_mode: string;
  region: string;
  status: string;
  rated_at: Date | null;
  results: { players?: PlacedPlayer[] } | null;
}

/** A player's standing in one mode: its own row there, else the account's rating as the prior. */
interface PlayerRatingRow {
  id: string;
  rating: number;
  games_played: number;
  mu: number | null;
  sigma: number | null;
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
  async rateGame(gameId: string): Promise<RatingChange[]> {
    return (await this.db.transaction((tx) => this.rateGameIn(tx, gameId)))?.changes ?? [];
  }

  /**
   * Rates a finished game inside the caller's transaction. `finished` are its results when the caller has them
   * at hand (the recorder, which just wrote them); otherwise they are read from the games row. Undefined when
   * the game is not finished or was rated before.
   */
  async rateGameIn(tx: Queryable, gameId: string, finished?: { players: PlacedPlayer[] }): Promise<RatedGame | undefined> {
    const { rows } = await tx.query<GameRow>('SELECT game_mode, region, status, rated_at, results FROM games WHERE id = $1 FOR UPDATE', [gameId]);
    const game = rows[0];
    if (!game || game.status !== 'finished' || game.rated_at) return undefined;
    const placed = (finished ?? game.results)?.players ?? [];
    const kind = ratingKindFor(game.game_mode, this.policy);
    const players = await this.lockPlayers(tx, game.game_mode, kind, placed.map((p) => p.player_id));
    const ranked = placed.filter((p) => players.has(p.player_id));
    const placements = this.placements(ranked, players);
    const rated: RatedGame = { gameId, gameMode: game.game_mode, region: game.region, changes: [], players: [] };
    if (placements.length >= 2) {
      rated.changes = rateMatch({ gameMode: game.game_mode, placements }, this.policy);
      const ranks = placements.map((placement) => placement.rank);
      const rankOf = new Map(placements.flatMap((placement) => placement.players.map((player) => [player.playerId, placement.rank])));
      for (const change of rated.changes) {
        const gamesPlayed = await this.apply(tx, gameId, game.game_mode, kind, change);
        rated.players.push({ playerId: change.playerId, outcome: fieldOutcome(rankOf.get(change.playerId)!, ranks), rating: change.after, gamesPlayed });
      }
    }
    await tx.query('UPDATE games SET rated_at = now() WHERE id = $1', [gameId]);
    return rated;
  }

  /** Rated players best first: by the account's Elo rating, or by their rating in one game mode. */
  async top(limit: number, offset: number, gameMode?: string): Promise<LeaderboardEntry[]> {
    const { rows } = gameMode
      ? await this.db.query<Omit<LeaderboardEntry, 'rank'>>(
          `SELECT p.id AS player_id, p.display_name, r.rating AS skill_rating, r.games_played
           FROM player_mode_ratings r JOIN players p ON p.id = r.player_id
           WHERE r.game_mode = $3 AND r.games_played > 0 ORDER BY r.rating DESC, p.id LIMIT $1 OFFSET $2`,
          [limit, offset, gameMode],
        )
      : await this.db.query<Omit<LeaderboardEntry, 'rank'>>(
          `SELECT id AS player_id, display_name, skill_rating, games_played FROM players
           WHERE games_played > 0 ORDER BY skill_rating DESC, id LIMIT $1 OFFSET $2`,
          [limit, offset],
        );
    return rows.map((row, i) => ({ rank: offset + i + 1, ...row }));
  }

  /** The rating matchmaking uses for a player in a mode: its rating there, else the account's. */
  async ratingOf(playerId: string, gameMode: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ rating: number }>(
      `SELECT COALESCE(r.rating, p.skill_rating) AS rating FROM players p
       LEFT JOIN player_mode_ratings r ON r.player_id = p.id AND r.game_mode = $2 WHERE p.id = $1`,
      [playerId, gameMode],
    );
    return rows[0]?.rating;
  }

  /**
   * Locks the players and reads their standing in the mode. Elo modes rate the account's skill_rating (the
   * brief's rating, which the main leaderboard shows); other kinds keep their own per-mode state.
   */
  private async lockPlayers(tx: Queryable, gameMode: string, kind: RatingKind, ids: string[]): Promise<Map<string, PlayerRatingRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await tx.query<PlayerRatingRow>(
      kind === 'elo'
        ? `SELECT p.id, p.skill_rating AS rating, p.games_played, NULL::double precision AS mu, NULL::double precision AS sigma
           FROM players p WHERE p.id = ANY($1::uuid[]) AND $2::text IS NOT NULL ORDER BY p.id FOR UPDATE`
        : `SELECT p.id, COALESCE(r.rating, p.skill_rating) AS rating, COALESCE(r.games_played, 0) AS games_played, r.mu, r.sigma
           FROM players p LEFT JOIN player_mode_ratings r ON r.player_id = p.id AND r.game_mode = $2
           WHERE p.id = ANY($1::uuid[]) ORDER BY p.id FOR UPDATE OF p`,
      [ids, gameMode],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * Free-for-all: every player is its own placement; players with equal results share a rank (a tie). Team
   * modes: one placement per team, at the team's rank.
   */
  private placements(ranked: readonly PlacedPlayer[], players: Map<string, PlayerRatingRow>): MatchOutcome['placements'] {
    const placements = new Map<string, { rank: number; players: RatedPlayer[] }>();
    for (const { player_id, rank, team } of ranked) {
      const row = players.get(player_id)!;
      const rated: RatedPlayer = { playerId: row.id, rating: row.rating, gamesPlayed: row.games_played };
      if (row.mu !== null && row.sigma !== null) Object.assign(rated, { mu: row.mu, sigma: row.sigma });
      const key = team ? `team:${team}` : `player:${player_id}`;
      const placement = placements.get(key);
      if (placement) placement.players.push(rated);
      else placements.set(key, { rank, players: [rated] });
    }
    return [...placements.values()];
  }

  /** Writes one player's change; returns the player's rated games in the mode after it. */
  private async apply(tx: Queryable, gameId: string, gameMode: string, kind: RatingKind, change: RatingChange): Promise<number> {
    if (kind === 'elo') {
      await tx.query('UPDATE players SET skill_rating = $2, games_played = games_played + 1 WHERE id = $1', [change.playerId, change.after]);
    }
    const { rows } = await tx.query<{ games_played: number }>(
      `INSERT INTO player_mode_ratings (player_id, game_mode, rating_kind, rating, mu, sigma, games_played)
       VALUES ($1, $2, $3, $4, $5, $6, 1)
       ON CONFLICT (player_id, game_mode) DO UPDATE SET rating = EXCLUDED.rating, mu = EXCLUDED.mu, sigma = EXCLUDED.sigma,
         rating_kind = EXCLUDED.rating_kind, games_played = player_mode_ratings.games_played + 1, updated_at = now()
       RETURNING games_played`,
      [change.playerId, gameMode, kind, change.after, change.mu ?? null, change.sigma ?? null],
    );
    await tx.query(
      `INSERT INTO rating_history (game_id, player_id, game_mode, rating_kind, rating_before, rating_after, delta, mu, sigma)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [gameId, change.playerId, gameMode, kind, change.before, change.after, change.delta, change.mu ?? null, change.sigma ?? null],
    );
    return rows[0]!.games_played;
  }
}
