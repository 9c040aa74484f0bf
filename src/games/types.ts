import type { RatingKind } from '../rating/index.js';
import type { PlayerInput, SimEvent, SnapshotState } from '../sim/index.js';

/** What every game mode is configured with (from the node's settings, then the mode's own defaults). */
export interface GameSettings {
  tickRate: number;
  /** Hard cap on simulated entities. */
  maxEntities: number;
  /** Kills that win: a player's in free-for-all, a team's in team modes. */
  scoreLimit: number;
  timeLimitSeconds: number;
  /** Team modes: whether teammates can hurt each other. */
  friendlyFire: boolean;
}

/** A seat in the game: the simulated entity and its team (0 in free-for-all). */
export interface GameSeat {
  entity: number;
  team: number;
}

export interface PlayerOutcome {
  entity: number;
  team: number;
  score: number;
  deaths: number;
  /** 1 = best; equal results share a rank. In team modes a player's rank is its team's. */
  rank: number;
}

export interface TeamOutcome {
  team: number;
  score: number;
  deaths: number;
  rank: number;
}

export interface GameOutcome {
  /** Best first. */
  players: PlayerOutcome[];
  /** Team modes only, best first. */
  teams?: TeamOutcome[];
}

/** A player the game may seat, with the rating team modes balance on (unknown ratings count as equal). */
export interface Entrant {
  /** Stable identity outside the game (the player id), for team plans. */
  key: string;
  rating?: number;
}

/**
 * One authoritative game, driven by its room: the seam between rooms and game logic, in the spirit of Nakama's
 * RuntimeMatchCore with Colyseus-like names. Implementations are pure and deterministic given their seed and the
 * calls made; every call that changes the outcome is recorded so the match can be replayed from its record.
 */
export interface Game {
  readonly tick: number;
  readonly finished: boolean;
  /** The current match's seed, chosen by the room. */
  readonly seed: number;
  /** Seats a player; team modes pick its team (a planned one, else the emptier, weaker team). */
  addPlayer(entrant: Entrant): GameSeat;
  removePlayer(entity: number): void;
  /** False when the input is refused (stale sequence, full queue, unknown entity). */
  queueInput(entity: number, input: PlayerInput): boolean;
  /** One fixed step; the returned array is reused by the next step. */
  step(): readonly SimEvent[];
  /** The state for the wire. */
  snapshot(): SnapshotState;
  lastInputSequence(entity: number): number;
  teamOf(entity: number): number;
  results(): GameOutcome;
  /** A new match with the same players, from a new seed. */
  restart(seed: number): void;
  /** Team modes: decides the teams of players known ahead (a matchmade room), balanced by rating. */
  planTeams(entrants: readonly Entrant[]): void;
  /** What the current match's replay needs besides its seed and settings; undefined when it grew past its bound. */
  replayLog(): Uint8Array | undefined;
  /** The replay record from byte `offset` on (for a checkpoint that appends); undefined past its bound. */
  replayLogSince(offset: number): Uint8Array | undefined;
}

export interface ResumedGame {
  game: Game;
  entities: ReadonlyMap<number, number>;
}

/** One game mode: how to make its games and how it is played, rated and matched. */
export interface GameMode {
  readonly name: string;
  readonly ratingKind: RatingKind;
  /** 0: free-for-all. */
  readonly teams: number;
  /** Players a match of this mode needs and holds (matchmaking and room creation respect both). */
  readonly minPlayers: number;
  readonly maxPlayers: number;
  /** Settings this mode overrides. */
  readonly defaults: Partial<GameSettings>;
  create(settings: GameSettings, seed: number): Game;
  /** Re-runs a match from its seed and replay record (what Game.replayLog gave) and returns its outcome. */
  replay(settings: GameSettings, seed: number, record: Uint8Array): GameOutcome;
  /** The live game at the end of a match's record (to carry a room on elsewhere), and its recorded → live entities. */
  resume(settings: GameSettings, seed: number, record: Uint8Array, ratings?: ReadonlyMap<number, number>): ResumedGame;
}
