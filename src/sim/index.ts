export { ArenaSimulation } from './arena.js';
export { SimError, type SimErrorCode } from './errors.js';
export { DEFAULT_ARENA_RULES, type ArenaRules } from './rules.js';
export { SeededRandom } from './random.js';
export { balanceTeams } from './teams.js';
export * from './types.js';
