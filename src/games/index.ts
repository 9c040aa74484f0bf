/**
 * Game logic behind rooms: the Game seam, the game-mode registry (deathmatch, team deathmatch), and replays
 * of recorded matches. Pure: no I/O, no clock; randomness only from the seed a room passes in.
 */
export { GameModes, DEATHMATCH, TEAM_DEATHMATCH, settingsFor } from './modes.js';
export { ArenaGame, MAX_REPLAY_BYTES } from './arena-game.js';
export { ReplayFormatError, ReplayWriter, readReplay, type ReplayEvent } from './replay-log.js';
export type { Entrant, Game, GameMode, GameOutcome, GameSeat, GameSettings, PlayerOutcome, ResumedGame, TeamOutcome } from './types.js';
