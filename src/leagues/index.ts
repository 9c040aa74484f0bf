export * from './ladder.js';
export * from './season.js';
export { LeagueServiceError, type LeagueServiceErrorCode } from './errors.js';
export type { SeasonStatus } from './store.js';
export {
  Leagues,
  type DivisionMember,
  type DivisionStandings,
  type LeagueGame,
  type LeagueGamePlayer,
  type LeagueNotice,
  type LeagueSettings,
  type PlayerStanding,
  type SeasonResult,
  type SeasonSummary,
} from './service.js';
