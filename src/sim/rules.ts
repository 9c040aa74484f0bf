import { isValidTeamCount, MAX_TEAM_COUNT, MIN_TEAM_COUNT } from './teams.js';
import type { SimSettings } from './types.js';

/** The physical and combat constants of the arena, in metres and seconds. */
export interface ArenaRules {
  /** The arena is the square [-halfSize, halfSize] on x and z, walled on all sides. */
  readonly arenaHalfSize: number;
  readonly moveSpeed: number;
  readonly gravity: number;
  readonly jumpVelocity: number;
  /** Keeps a player's centre this far from the walls. */
  readonly playerRadius: number;
  /** Shots start this high above the feet. */
  readonly eyeHeight: number;
  /** Height of the hit sphere's centre above the feet. */
  readonly hitCentreHeight: number;
  readonly hitRadius: number;
  readonly maxHealth: number;
  readonly weaponDamage: number;
  readonly weaponRange: number;
  readonly weaponCooldownSeconds: number;
  readonly respawnDelaySeconds: number;
  /** Inputs one player may have waiting for the next step; more are refused. */
  readonly maxQueuedInputs: number;
}

export const DEFAULT_ARENA_RULES: Readonly<ArenaRules> = Object.freeze({
  arenaHalfSize: 20,
  moveSpeed: 6,
  gravity: 20,
  jumpVelocity: 7,
  playerRadius: 0.4,
  eyeHeight: 1.6,
  // Torso-sized target covering 0.2–1.8 m, so a level shot from eye height hits a standing player.
  hitCentreHeight: 1.0,
  hitRadius: 0.8,
  maxHealth: 100,
  weaponDamage: 25,
  weaponRange: 50,
  weaponCooldownSeconds: 0.25,
  respawnDelaySeconds: 3,
  maxQueuedInputs: 32,
});

/** The defaults with the given overrides applied (undefined overrides keep the default). */
export function resolveRules(overrides: Partial<ArenaRules> = {}): Readonly<ArenaRules> {
  const rules: { -readonly [K in keyof ArenaRules]: number } = { ...DEFAULT_ARENA_RULES };
  for (const name of Object.keys(DEFAULT_ARENA_RULES) as (keyof ArenaRules)[]) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`Arena rule ${name} must be a finite number >= 0, got ${value}`);
    }
    rules[name] = value;
  }
  if (!Number.isInteger(rules.maxQueuedInputs) || rules.maxQueuedInputs === 0) {
    throw new RangeError('Arena rule maxQueuedInputs must be a positive integer');
  }
  if (rules.playerRadius >= rules.arenaHalfSize) {
    throw new RangeError('Arena rule playerRadius must be smaller than arenaHalfSize');
  }
  return Object.freeze(rules);
}

/** The rules' durations expressed in whole ticks of one simulation. */
export interface TickTimings {
  /** Seconds per tick. */
  readonly dt: number;
  readonly weaponCooldownTicks: number;
  readonly respawnDelayTicks: number;
  readonly matchTicks: number;
}

/** Tolerates float noise such as 0.1 * 30 = 3.0000000000000004 before rounding up. */
const TICK_EPSILON = 1e-9;

/** Rounds up, so a cooldown or delay is never shorter than asked. */
function secondsToTicks(seconds: number, tickRate: number): number {
  return Math.max(0, Math.ceil(seconds * tickRate - TICK_EPSILON));
}

export function tickTimings(settings: SimSettings, rules: ArenaRules): TickTimings {
  return {
    dt: 1 / settings.tickRate,
    weaponCooldownTicks: secondsToTicks(rules.weaponCooldownSeconds, settings.tickRate),
    respawnDelayTicks: secondsToTicks(rules.respawnDelaySeconds, settings.tickRate),
    matchTicks: secondsToTicks(settings.timeLimitSeconds, settings.tickRate),
  };
}

/** Refuses settings the simulation cannot run with (the config layer normally rules them out already). */
export function validateSettings(settings: SimSettings): void {
  if (!Number.isFinite(settings.tickRate) || settings.tickRate <= 0) {
    throw new RangeError(`tickRate must be a positive number, got ${settings.tickRate}`);
  }
  if (!Number.isInteger(settings.maxEntities) || settings.maxEntities < 0) {
    throw new RangeError(`maxEntities must be an integer >= 0, got ${settings.maxEntities}`);
  }
  if (!Number.isFinite(settings.timeLimitSeconds) || settings.timeLimitSeconds < 0) {
    throw new RangeError(`timeLimitSeconds must be a finite number >= 0, got ${settings.timeLimitSeconds}`);
  }
  const teamCount = settings.teamCount ?? 0;
  if (teamCount !== 0 && !isValidTeamCount(teamCount)) {
    throw new RangeError(
      `teamCount must be 0 (free-for-all) or an integer from ${MIN_TEAM_COUNT} to ${MAX_TEAM_COUNT}, got ${teamCount}`,
    );
  }
  // Settings may come from untyped config, where a string such as "false" would otherwise read as true.
  if (settings.friendlyFire !== undefined && typeof settings.friendlyFire !== 'boolean') {
    throw new RangeError(`friendlyFire must be a boolean, got ${JSON.stringify(settings.friendlyFire)}`);
  }
}
