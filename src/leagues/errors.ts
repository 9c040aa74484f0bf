import { codedError, type ErrorCategory } from '../errors/index.js';

const CATEGORY = {
  invalid_request: 'invalid',
  season_not_found: 'not_found',
  division_not_found: 'not_found',
  player_not_found: 'not_found',
  not_a_member: 'not_found',
} as const satisfies Record<string, ErrorCategory>;

export type LeagueServiceErrorCode = keyof typeof CATEGORY;

/** A league read or write was refused; nothing is written when this is thrown. */
export class LeagueServiceError extends codedError('LeagueServiceError', CATEGORY) {}
