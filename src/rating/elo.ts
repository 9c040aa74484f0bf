/**
 * Elo for 1v1, free-for-all and (through team averages) team matches.
 *
 * Ratings stay floats end to end (players.skill_rating is double precision): rounding every update would
 * drift the total and break zero-sum, so callers round only when rendering a rating.
 */

export interface EloSettings {
  /** K-factor for established players. */
  k: number;
  /** Larger K so new players reach their level quickly. */
  provisionalK: number;
  /** A player with fewer rated games than this uses `provisionalK`. */
  provisionalGames: number;
}

export const DEFAULT_ELO_SETTINGS: Readonly<EloSettings> = Object.freeze({ k: 32, provisionalK: 64, provisionalGames: 10 });

/** One side of an Elo comparison: a player, or a team represented by its average rating. */
export interface EloEntry {
  rating: number;
  /** 1 = best; equal ranks are a draw between those entries. */
  rank: number;
}

/** Probability that a player rated `a` beats one rated `b` (a draw counts as half a win). */
export function expectedScore(a: number, b: number): number {
  return 1 / (1 + 10 ** ((b - a) / 400));
}

/** K for a player with `gamesPlayed` rated games. */
export function kFactor(gamesPlayed: number, settings: EloSettings): number {
  return gamesPlayed < settings.provisionalGames ? settings.provisionalK : settings.k;
}

/** Actual score of `a` against `b` from their ranks: 1 win, 0.5 draw, 0 loss. */
function actualScore(a: EloEntry, b: EloEntry): number {
  if (a.rank === b.rank) return 0.5;
  return a.rank < b.rank ? 1 : 0;
}

/**
 * Per entry: the sum over every opponent of (actual - expected score), divided by n - 1. A rating change is
 * K times this. Dividing by n - 1 keeps one match worth at most K whatever the field size, as in 1v1.
 * Each pair is evaluated once and applied with opposite signs, so the surpluses sum to zero.
 */
export function eloScoreSurpluses(entries: readonly EloEntry[]): number[] {
  const n = entries.length;
  const surpluses = new Array<number>(n).fill(0);
  if (n < 2) return surpluses;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = entries[i]!;
      const b = entries[j]!;
      const surplus = (actualScore(a, b) - expectedScore(a.rating, b.rating)) / (n - 1);
      surpluses[i]! += surplus;
      surpluses[j]! -= surplus;
    }
  }
  return surpluses;
}

/** Rating deltas for a 1v1 or free-for-all ranking, each entry with its own K. Zero-sum when all K are equal. */
export function eloDeltas(entries: readonly (EloEntry & { k: number })[]): number[] {
  const surpluses = eloScoreSurpluses(entries);
  return entries.map((entry, i) => entry.k * surpluses[i]!);
}
