/**
 * The vocabulary every tournament format shares. Formats are pure, deterministic functions from
 * (settings, entrants, results so far) to the matches that exist and which of them can be played now; they
 * do no I/O, read no clock and use no randomness beyond a seed they are given.
 */

/** A registered entrant (a player, later a team). `seed` 1 is the strongest. */
export interface Entrant {
  id: string;
  seed: number;
}

/** One side of a match: an entrant, a bye (nobody: the other side advances), or not known yet. */
export type Slot = { kind: 'entrant'; entrantId: string } | { kind: 'bye' } | { kind: 'pending' };

/**
 * A match of a format. Ids are stable strings derived from the match's place in the format (e.g. `WB-R2-M3`,
 * `RR-G1-R4-M2`, `SW-R3-M1`), so the same inputs give the same ids and results can refer to them.
 */
export interface MatchSpec {
  id: string;
  /** 1-based round within its bracket or stage. */
  round: number;
  /** Which part of the format: `winners`, `losers`, `grand_final`, `third_place`, `group:<n>`, `swiss`. */
  bracket: string;
  slots: [Slot, Slot];
}

/** How a finished match ended. A draw has no winner; forfeits name who forfeited (both: a double forfeit). */
export interface MatchResult {
  matchId: string;
  /** Index of the winning slot (0 or 1), or null for a draw or a double forfeit. */
  winner: 0 | 1 | null;
  /** Game wins per slot in a best-of series, e.g. [3, 1]; [1, 0] for a single game. */
  score: [number, number];
  /** Slots that forfeited (did not show, withdrew). */
  forfeited?: (0 | 1)[];
}

export type MatchState =
  /** Both sides known, not yet decided: a room can be made for it. */
  | 'ready'
  /** A side is still to be decided by an earlier match. */
  | 'waiting'
  /** Decided by a result, or complete by itself (a bye). */
  | 'done';

export interface MatchView extends MatchSpec {
  state: MatchState;
  result?: MatchResult;
}

/** Points for a match outcome, e.g. 3-1-0 or 1-½-0 (Swiss), applied by standings. */
export interface PointsTable {
  win: number;
  draw: number;
  loss: number;
  /** A bye counts as this (FIDE: a win). */
  bye: number;
}

export const DEFAULT_POINTS: Readonly<PointsTable> = Object.freeze({ win: 1, draw: 0.5, loss: 0, bye: 1 });

/** A format refused its input; the code says why (e.g. `no_valid_pairing`, `invalid_result`). */
export class FormatError extends Error {
  override name = 'FormatError';
  constructor(
    readonly code: 'invalid_settings' | 'invalid_entrants' | 'invalid_result' | 'no_valid_pairing',
    message: string,
  ) {
    super(message);
  }
}
