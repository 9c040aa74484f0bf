export interface RatedPlayer {
  playerId: string;
  /** Display rating (Elo, or the Elo-like mapping of openskill); players.skill_rating. */
  rating: number;
  /** Rated games before this match; below the provisional threshold Elo uses the provisional K. */
  gamesPlayed: number;
  /** openskill state; give both or neither. Absent means "seed from `rating`". */
  mu?: number;
  sigma?: number;
}

export interface MatchOutcome {
  gameMode: string;
  /** Each entry is one team (a single player in FFA/1v1) with its rank: 1 = best, ties share a rank. */
  placements: { rank: number; players: RatedPlayer[] }[];
}

export interface RatingChange {
  playerId: string;
  /** Display rating before the match. */
  before: number;
  /** Display rating after the match; store this (unrounded) as the new rating. */
  after: number;
  /** after - before. */
  delta: number;
  /** New openskill state, set only for openskill-rated modes. */
  mu?: number;
  sigma?: number;
}
