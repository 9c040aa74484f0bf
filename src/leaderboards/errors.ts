import { codedError, type ErrorCategory } from '../errors/index.js';

const CATEGORY = {
  invalid_definition: 'invalid',
  invalid_score: 'invalid',
  score_out_of_range: 'conflict',
  outside_window: 'conflict',
  board_exists: 'conflict',
  board_not_found: 'not_found',
  board_full: 'conflict',
  board_read_only: 'forbidden',
  invalid_request: 'invalid',
} as const satisfies Record<string, ErrorCategory>;

export type LeaderboardErrorCode = keyof typeof CATEGORY;

/** A definition, score or write the leaderboard refuses; nothing is written when this is thrown. */
export class LeaderboardError extends codedError('LeaderboardError', CATEGORY) {}
