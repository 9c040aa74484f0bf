/**
 * Tournaments: pure formats (./formats) from (settings, entrants, results so far) to the matches to play next; a
 * tournament as the fold of its event log (./tournament); the log in PostgreSQL with one transaction per command
 * (./store); and the service that plays every ready match in a GameV1 room reserved for its two players.
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
export { TournamentError, type TournamentErrorCode } from './errors.js';
export { SYSTEM_ACTOR, type TournamentEventData, type TournamentEventRecord } from './events.js';
export { normalizeSettings, bestOfFor } from './settings.js';
export { Tournament, type MatchNeedingRoom, type TournamentMatchView } from './tournament.js';
export { TournamentStore, type TournamentFilter } from './store.js';
export { TournamentService, TOURNAMENT_CHANNEL, type Caller, type MatchReadyNotice, type TournamentServiceDeps } from './service.js';
export { completeReport, gameWinner } from './series.js';
export { tournamentGameWriter } from './games.js';
