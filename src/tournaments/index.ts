/**
 * Tournaments. So far the formats: pure, deterministic functions from (settings, entrants, results so far) to
 * the matches to play next, and the standings and stage advancement between them. The lifecycle (registration,
 * check-in, rooms per match, corrections, storage, HTTP API) is built on these next.
 */
export { singleElimination, doubleElimination, type EliminationState, type GrandFinalMode, type Placement } from './formats/elimination.js';
export { roundRobin, groupsOf, type RoundRobinSettings, type RoundRobinState } from './formats/round-robin.js';
export { swissRound, swissStatus, type SwissSettings, type SwissStatus } from './formats/swiss.js';
export { standings, DEFAULT_TIE_BREAKS, type Standing, type StandingsOptions, type TieBreak } from './formats/standings.js';
export { advance, snakeGroups } from './formats/stages.js';
export { bracketSize, standardOrder } from './formats/seeding.js';
export {
  DEFAULT_POINTS,
  FormatError,
  type Entrant,
  type MatchResult,
  type MatchSpec,
  type MatchState,
  type MatchView,
  type PointsTable,
  type Slot,
} from './formats/types.js';
