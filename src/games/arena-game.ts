import { ArenaSimulation, MatchPhase, balanceTeams, type PlayerInput, type SimEvent, type SnapshotState, type Vec3 } from '../sim/index.js';
import { readReplay, ReplayWriter } from './replay-log.js';
import type { Entrant, Game, GameOutcome, GameSeat, GameSettings, PlayerOutcome, TeamOutcome } from './types.js';

/** Bound on one match's replay record (about an hour of a 10-player room at 20 inputs/s, some 24 bytes each). */
export const MAX_REPLAY_BYTES = 16 * 1024 * 1024;

interface Seat {
  team: number;
  rating: number;
}

/** Shared ranking rule: better score first, then fewer deaths; equal results share a rank. */
function rankOf<T extends { score: number; deaths: number }>(entry: T, all: readonly T[]): number {
  let better = 0;
  for (const other of all) if (other.score > entry.score || (other.score === entry.score && other.deaths < entry.deaths)) better++;
  return better + 1;
}

/**
 * The arena deathmatch (src/sim) as a Game: free-for-all when `teams` is 0, else team deathmatch. Inputs are
 * narrowed to float32 on the way in, so the replay record holds exactly what the simulation was given.
 */
export class ArenaGame implements Game {
  private sim: ArenaSimulation;
  private currentSeed: number;
  private log: ReplayWriter;
  /** Seated entities in id order (ids only grow), with their team and rating. */
  private readonly seats = new Map<number, Seat>();
  private readonly plannedTeams = new Map<string, number>();
  // Reused for every input: queueing allocates nothing.
  private readonly aim: Vec3 = { x: 0, y: 0, z: 0 };
  private readonly actions: string[] = [];
  private readonly input: PlayerInput = { sequence: 0, movement: { x: 0, y: 0, z: 0 }, actions: this.actions };

  constructor(
    private readonly settings: GameSettings,
    private readonly teams: number,
    seed: number,
  ) {
    this.currentSeed = seed;
    this.sim = this.newSimulation(seed);
    this.log = new ReplayWriter(MAX_REPLAY_BYTES);
  }

  /** Re-runs a recorded match and returns its outcome, in the recorded match's entity ids. */
  static replay(settings: GameSettings, teams: number, seed: number, record: Uint8Array): GameOutcome {
    const { game, entities } = ArenaGame.resume(settings, teams, seed, record);
    const recordedEntity = new Map([...entities].map(([recorded, entity]) => [entity, recorded]));
    const outcome = game.results();
    for (const player of outcome.players) player.entity = recordedEntity.get(player.entity) ?? player.entity;
    return outcome;
  }

  /**
   * The live game at the end of a recorded match: every recorded call made again, so the state, the record so far
   * and what follows are the original's (the simulation is deterministic). `ratings` (by recorded entity) are
   * what team balancing uses for players who join later; the record does not hold them.
   */
  static resume(
    settings: GameSettings,
    teams: number,
    seed: number,
    record: Uint8Array,
    ratings: ReadonlyMap<number, number> = new Map(),
  ): { game: ArenaGame; entities: ReadonlyMap<number, number> } {
    const game = new ArenaGame(settings, teams, seed);
    const entities = new Map<number, number>();
    const entityOf = (recorded: number) => {
      const entity = entities.get(recorded);
      if (entity === undefined) throw new RangeError(`replay record names entity ${recorded} before it joined`);
      return entity;
    };
    for (const event of readReplay(record)) {
      switch (event.type) {
        case 'steps':
          for (let i = 0; i < event.count; i++) game.step();
          break;
        case 'join':
          entities.set(event.entity, game.seat(event.team, ratings.get(event.entity) ?? 0));
          break;
        case 'leave':
          game.removePlayer(entityOf(event.entity));
          break;
        case 'input':
          game.queueNarrowed(entityOf(event.entity), event.sequence, event.moveX, event.moveZ, event.jump, event.shoot, event.aim !== undefined, event.aim?.x ?? 0, event.aim?.y ?? 0, event.aim?.z ?? 0);
          break;
      }
    }
    return { game, entities };
  }

  get tick(): number {
    return this.sim.tick;
  }

  get finished(): boolean {
    return this.sim.phase === MatchPhase.Finished;
  }

  get seed(): number {
    return this.currentSeed;
  }

  addPlayer(entrant: Entrant): GameSeat {
    const team = this.teams === 0 ? 0 : (this.plannedTeams.get(entrant.key) ?? this.weakestTeam());
    const entity = this.seat(team, entrant.rating ?? 0);
    return { entity, team };
  }

  removePlayer(entity: number): void {
    if (!this.seats.delete(entity)) return;
    this.sim.removePlayer(entity);
    this.log.leave(entity);
  }

  queueInput(entity: number, input: PlayerInput): boolean {
    const { movement, aim, actions } = input;
    return this.queueNarrowed(
      entity,
      input.sequence,
      Math.fround(movement.x),
      Math.fround(movement.z),
      actions.includes('jump'),
      actions.includes('shoot'),
      aim !== undefined,
      Math.fround(aim?.x ?? 0),
      Math.fround(aim?.y ?? 0),
      Math.fround(aim?.z ?? 0),
    );
  }

  step(): readonly SimEvent[] {
    this.log.step();
    return this.sim.step();
  }

  snapshot(): SnapshotState {
    return this.sim.snapshot();
  }

  lastInputSequence(entity: number): number {
    return this.sim.lastInputSequence(entity);
  }

  teamOf(entity: number): number {
    return this.seats.get(entity)?.team ?? 0;
  }

  results(): GameOutcome {
    const raw = this.sim.results();
    if (this.teams === 0) {
      return { players: raw.map((r) => ({ entity: r.entity, team: 0, score: r.score, deaths: r.deaths, rank: rankOf(r, raw) })) };
    }
    const teamResults = this.sim.teamResults();
    const teams: TeamOutcome[] = teamResults.map((t) => ({ ...t, rank: rankOf(t, teamResults) }));
    const rankOfTeam = new Map(teams.map((t) => [t.team, t.rank]));
    const players: PlayerOutcome[] = raw
      .map((r) => ({ entity: r.entity, team: r.team, score: r.score, deaths: r.deaths, rank: rankOfTeam.get(r.team) ?? teams.length }))
      .sort((a, b) => a.rank - b.rank || b.score - a.score || a.deaths - b.deaths || a.entity - b.entity);
    return { players, teams };
  }

  restart(seed: number): void {
    this.currentSeed = seed;
    this.sim.restart(seed);
    this.log = new ReplayWriter(MAX_REPLAY_BYTES);
    // The new match starts from its roster: seated in id order, as the replay seats them.
    for (const [entity, seat] of this.seats) this.log.join(entity, seat.team);
  }

  planTeams(entrants: readonly Entrant[]): void {
    if (this.teams === 0) return;
    const balanced = balanceTeams(entrants.map((e) => ({ key: e.key, rating: e.rating ?? 0 })), this.teams);
    balanced.forEach((members, index) => {
      for (const member of members) this.plannedTeams.set(member.key, index + 1);
    });
  }

  replayLog(): Uint8Array | undefined {
    return this.log.finish();
  }

  replayLogSince(offset: number): Uint8Array | undefined {
    return this.log.since(offset);
  }

  private newSimulation(seed: number): ArenaSimulation {
    const { tickRate, maxEntities, scoreLimit, timeLimitSeconds, friendlyFire } = this.settings;
    return new ArenaSimulation({ tickRate, maxEntities, scoreLimit, timeLimitSeconds, seed, teamCount: this.teams, friendlyFire });
  }

  private seat(team: number, rating: number): number {
    const entity = this.teams === 0 ? this.sim.addPlayer() : this.sim.addPlayer(team);
    this.seats.set(entity, { team, rating });
    this.log.join(entity, team);
    return entity;
  }

  /** The team with the fewest players, then the lowest rating total, then the lowest number. */
  private weakestTeam(): number {
    let best = 1;
    let bestCount = Infinity;
    let bestRating = Infinity;
    for (let team = 1; team <= this.teams; team++) {
      let count = 0;
      let rating = 0;
      for (const seat of this.seats.values()) {
        if (seat.team !== team) continue;
        count++;
        rating += seat.rating;
      }
      if (count < bestCount || (count === bestCount && rating < bestRating)) {
        best = team;
        bestCount = count;
        bestRating = rating;
      }
    }
    return best;
  }

  // Positional arguments: this runs per input, so nothing is allocated to pass them.
  private queueNarrowed(
    entity: number,
    sequence: number,
    moveX: number,
    moveZ: number,
    jump: boolean,
    shoot: boolean,
    hasAim: boolean,
    aimX: number,
    aimY: number,
    aimZ: number,
  ): boolean {
    const input = this.input;
    input.sequence = sequence;
    input.movement.x = moveX;
    input.movement.z = moveZ;
    this.actions.length = 0;
    if (jump) this.actions.push('jump');
    if (shoot) this.actions.push('shoot');
    this.aim.x = aimX;
    this.aim.y = aimY;
    this.aim.z = aimZ;
    input.aim = hasAim ? this.aim : undefined;
    const accepted = this.sim.queueInput(entity, input);
    if (accepted) this.log.input(entity, sequence, moveX, moveZ, jump, shoot, input.aim);
    return accepted;
  }
}
