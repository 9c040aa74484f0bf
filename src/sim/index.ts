export { ArenaSimulation } from './arena.js';
export { SimError, type SimErrorCode } from './errors.js';
export { DEFAULT_ARENA_RULES, type ArenaRules } from './rules.js';
export { SeededRandom } from './random.js';
export { balanceTeams, isValidTeamCount, MAX_TEAM_COUNT, MIN_TEAM_COUNT } from './teams.js';
export * from './types.js';
