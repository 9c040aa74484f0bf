import { AppError } from '../errors/index.js';
import type { RatingKind } from '../rating/index.js';
import { ArenaGame } from './arena-game.js';
import type { GameMode, GameOutcome, GameSettings } from './types.js';

/** An arena mode: free-for-all with `teams` 0, else that many teams. */
function arenaMode(mode: Omit<GameMode, 'create' | 'replay' | 'resume'>): GameMode {
  return {
    ...mode,
    create: (settings, seed) => new ArenaGame(settings, mode.teams, seed),
    replay: (settings, seed, record) => ArenaGame.replay(settings, mode.teams, seed, record),
    resume: (settings, seed, record, ratings) => ArenaGame.resume(settings, mode.teams, seed, record, ratings),
  };
}

/** The node's settings with the mode's own defaults applied: what a game of the mode is made with. */
export function settingsFor(mode: GameMode, base: GameSettings): GameSettings {
  return { ...base, ...mode.defaults };
}

export const DEATHMATCH = arenaMode({
  name: 'deathmatch',
  ratingKind: 'elo',
  teams: 0,
  minPlayers: 1,
  maxPlayers: 64,
  defaults: {},
});

/** Two teams, balanced by rating at the start; a team wins at SCORE_LIMIT kills. Rated with openskill per team. */
export const TEAM_DEATHMATCH = arenaMode({
  name: 'team_deathmatch',
  ratingKind: 'openskill',
  teams: 2,
  minPlayers: 2,
  maxPlayers: 64,
  defaults: { friendlyFire: false },
});

/**
 * The game modes a node serves: the one list rooms, matchmaking, ratings and the HTTP schemas read modes from.
 * The first is the default for rooms created without one.
 */
export class GameModes {
  private readonly byName: ReadonlyMap<string, GameMode>;

  constructor(readonly all: readonly GameMode[] = [DEATHMATCH, TEAM_DEATHMATCH]) {
    if (all.length === 0) throw new RangeError('at least one game mode is needed');
    this.byName = new Map(all.map((mode) => [mode.name, mode]));
  }

  get names(): string[] {
    return this.all.map((mode) => mode.name);
  }

  get default(): GameMode {
    return this.all[0]!;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The mode, or a clear `unsupported_game_mode` error. */
  get(name: string): GameMode {
    const mode = this.byName.get(name);
    if (!mode) throw new AppError('invalid', 'unsupported_game_mode', `game_mode must be one of: ${this.names.join(', ')}`);
    return mode;
  }

  /** Each mode's rating kind, for the rating policy. */
  ratingKinds(): Record<string, RatingKind> {
    return Object.fromEntries(this.all.map((mode) => [mode.name, mode.ratingKind]));
  }


  /** Re-runs a recorded match of `modeName`. */
  replay(modeName: string, base: GameSettings, seed: number, record: Uint8Array): GameOutcome {
    const mode = this.get(modeName);
    return mode.replay(settingsFor(mode, base), seed, record);
  }
}
