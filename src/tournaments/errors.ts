import { codedError, type ErrorCategory } from '../errors/index.js';

const CATEGORY = {
  tournament_not_found: 'not_found',
  match_not_found: 'not_found',
  not_registered: 'not_found',
  invalid_tournament: 'invalid',
  invalid_report: 'invalid',
  invalid_seeds: 'invalid',
  forbidden: 'forbidden',
  registration_closed: 'conflict',
  already_registered: 'conflict',
  check_in_closed: 'conflict',
  not_started: 'conflict',
  already_started: 'conflict',
  finished: 'conflict',
  not_enough_entrants: 'conflict',
  match_not_ready: 'conflict',
  match_decided: 'conflict',
  match_not_decided: 'conflict',
} as const satisfies Record<string, ErrorCategory>;

export type TournamentErrorCode = keyof typeof CATEGORY;

/** A tournament command was refused; the code says why. */
export class TournamentError extends codedError('TournamentError', CATEGORY) {}
