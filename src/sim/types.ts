/**
 * The contract between the simulation and everything around it (rooms, snapshot encoding, SDK).
 * Units: metres, seconds; y is up; the ground is y = 0.
 */

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

/** What a client asks for in one input (the seed's `game_input.input`, plus the sequence). */
export interface PlayerInput {
  /** Client-chosen, strictly increasing per player; inputs are applied in this order, stale ones ignored. */
  sequence: number;
  /** Desired horizontal direction: x and z are used, y is ignored; longer than 1 is clamped to 1. */
  movement: Vec3;
  /** E.g. 'jump', 'shoot'; unknown actions are ignored. */
  actions: readonly string[];
  /** Look/shoot direction; when absent the player keeps facing where it faced. */
  aim?: Vec3;
}

export interface SimSettings {
  tickRate: number;
  /** Hard cap on simulated entities (players count as entities). */
  maxEntities: number;
  /** Match ends when a player (in team mode: a team) reaches this many kills. */
  scoreLimit: number;
  /** Match ends after this many seconds. */
  timeLimitSeconds: number;
  /** Seed of the deterministic random source (spawn points). */
  seed: number;
  /** 0 or absent: free-for-all; 2..8: that many teams, each player on one of them for the whole match. */
  teamCount?: number;
  /** Whether shots can hurt teammates (default false); meaningless in free-for-all, where nobody has a teammate. */
  friendlyFire?: boolean;
}

export const MatchPhase = { Playing: 0, Finished: 1 } as const;
export type MatchPhase = (typeof MatchPhase)[keyof typeof MatchPhase];

/**
 * One entity in a snapshot. Every field is an integer (positions in millimetres, velocities in mm/s, yaw in
 * milliradians) so snapshots compare and delta-encode exactly.
 */
export interface EntityState {
  id: number;
  x: number;
  y: number;
  z: number;
  vx: number;
  vy: number;
  vz: number;
  yaw: number;
  health: number;
  score: number;
  deaths: number;
  /** 1 alive, 0 dead (waiting to respawn). */
  alive: number;
  /** Sequence of the last input applied for this entity's player (0 before any). */
  lastInput: number;
}

/** The integer fields of EntityState besides `id`, in wire order. */
export const ENTITY_FIELDS = [
  'x',
  'y',
  'z',
  'vx',
  'vy',
  'vz',
  'yaw',
  'health',
  'score',
  'deaths',
  'alive',
  'lastInput',
] as const satisfies readonly (keyof EntityState)[];

export interface SnapshotState {
  tick: number;
  phase: MatchPhase;
  /** Ticks left before the time limit ends the match. */
  ticksLeft: number;
  /** Sorted by id. */
  entities: EntityState[];
}

/** Something that happened during one step, for messages and persistence. */
export type SimEvent =
  | { type: 'hit'; shooter: number; target: number; damage: number }
  | { type: 'kill'; killer: number; victim: number }
  | { type: 'respawn'; entity: number }
  | { type: 'match_end'; reason: 'score_limit' | 'time_limit' };

export interface PlayerResult {
  entity: number;
  /** 1..teamCount in team mode, 0 in free-for-all. */
  team: number;
  score: number;
  deaths: number;
}

/** Kills of enemies and deaths of members, including those of players who have since left. */
export interface TeamResult {
  /** 1..teamCount. */
  team: number;
  score: number;
  deaths: number;
}
