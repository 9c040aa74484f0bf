export type LeaderboardErrorCode =
  | 'invalid_definition'
  | 'invalid_score'
  | 'score_out_of_range'
  | 'outside_window'
  | 'board_exists'
  | 'board_not_found'
  | 'board_full';

/** A definition, score or write time the leaderboard refuses; nothing is written when this is thrown. */
export class LeaderboardError extends Error {
  override name = 'LeaderboardError';
  constructor(
    readonly code: LeaderboardErrorCode,
    message: string,
  ) {
    super(message);
  }
}
