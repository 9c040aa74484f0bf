/**
 * Player ratings: Elo (the default) and openskill team ratings, chosen per game mode by a RatingPolicy.
 * Pure domain logic: no I/O, clock or randomness, so the match-result service can call it inside a transaction.
 */
export { rateMatch } from './rate-match.js';
export { fieldOutcome, type FieldOutcome } from './outcome.js';
export { RatingError, type RatingErrorCode } from './errors.js';
export {
  DEFAULT_RATING_POLICY,
  RATING_KINDS,
  ratingKindFor,
  validateEloSettings,
  type RatingKind,
  type RatingPolicy,
} from './policy.js';
export type { MatchOutcome, RatedPlayer, RatingChange } from './types.js';
export {
  DEFAULT_ELO_SETTINGS,
  eloDeltas,
  eloScoreSurpluses,
  expectedScore,
  kFactor,
  type EloEntry,
  type EloSettings,
} from './elo.js';
export {
  BASE_DISPLAY_RATING,
  DEFAULT_MU,
  DEFAULT_SIGMA,
  ELO_POINTS_PER_MU,
  displayRating,
  ordinal,
  rateTeams,
  skillFromRating,
  type Skill,
} from './openskill.js';
