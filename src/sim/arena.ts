import { SimError } from './errors.js';
import { raySphereDistance } from './hitscan.js';
import type { QueuedInput } from './input-queue.js';
import { integrate, tryJump } from './physics.js';
import { Player } from './player.js';
import { SeededRandom } from './random.js';
import { resolveRules, tickTimings, validateSettings, type ArenaRules, type TickTimings } from './rules.js';
import { toEntityState } from './snapshot.js';
import {
  MatchPhase,
  type PlayerInput,
  type PlayerResult,
  type SimEvent,
  type SimSettings,
  type SnapshotState,
  type TeamResult,
} from './types.js';

type MatchEndReason = Extract<SimEvent, { type: 'match_end' }>['reason'];

/** In team mode each team spawns in the middle of its strip, so neighbouring teams start half a strip apart. */
const SPAWN_ZONE_SHARE_OF_STRIP = 0.5;

/**
 * The authoritative deathmatch: players move on a flat walled square, jump, and shoot hitscan rays at each
 * other, every player for themselves or, with `teamCount` set, team against team. Pure and deterministic: the
 * same settings, calls and inputs give the same snapshots, tick by tick.
 */
export class ArenaSimulation {
  readonly rules: Readonly<ArenaRules>;
  private readonly settings: Readonly<SimSettings>;
  private readonly timings: TickTimings;
  private random: SeededRandom;
  /** Sorted by id: ids only grow, so appending keeps the order. */
  private readonly players: Player[] = [];
  private readonly playersById = new Map<number, Player>();
  /** Returned by step() and refilled by the next one, so steps allocate nothing when nothing happens. */
  private readonly events: SimEvent[] = [];
  /** 0 in free-for-all. */
  private readonly teamCount: number;
  /** Whether shots pass through teammates: team mode without friendly fire. */
  private readonly teammatesAreSpared: boolean;
  /** One per team (index 0 = team 1), created once and updated in place; empty in free-for-all. */
  private readonly teams: TeamResult[];
  private currentTick = 0;
  private matchPhase: MatchPhase = MatchPhase.Playing;
  private ticksLeft: number;
  private nextId = 1;

  constructor(settings: SimSettings, rules?: Partial<ArenaRules>) {
    validateSettings(settings);
    this.settings = { ...settings };
    this.rules = resolveRules(rules);
    this.timings = tickTimings(this.settings, this.rules);
    this.random = new SeededRandom(settings.seed);
    this.ticksLeft = this.timings.matchTicks;
    this.teamCount = settings.teamCount ?? 0;
    this.teammatesAreSpared = this.teamCount > 0 && settings.friendlyFire !== true;
    this.teams = Array.from({ length: this.teamCount }, (_, index) => ({ team: index + 1, score: 0, deaths: 0 }));
  }

  get tick(): number {
    return this.currentTick;
  }

  get phase(): MatchPhase {
    return this.matchPhase;
  }

  get entityCount(): number {
    return this.players.length;
  }

  /**
   * Spawns a new player at a deterministic spawn point and returns its id (1, 2, 3…, never reused). In team
   * mode `team` (1..teamCount) is required and kept until the player leaves; in free-for-all it must be absent
   * or 0. Anything else throws SimError `invalid_team`.
   */
  addPlayer(team?: number): number {
    const checkedTeam = this.checkTeam(team);
    if (this.players.length >= this.settings.maxEntities) {
      throw new SimError('max_entities', `The simulation already holds its maximum of ${this.settings.maxEntities} entities`);
    }
    const player = new Player(this.nextId++, checkedTeam, this.rules.maxQueuedInputs);
    this.spawn(player);
    this.players.push(player);
    this.playersById.set(player.id, player);
    return player.id;
  }

  /** Removes the player and its pending inputs; unknown ids are ignored. */
  removePlayer(entity: number): void {
    const player = this.playersById.get(entity);
    if (player === undefined) return;
    this.playersById.delete(entity);
    this.players.splice(this.players.indexOf(player), 1);
  }

  hasEntity(entity: number): boolean {
    return this.playersById.has(entity);
  }

  /** The entity's team: 1..teamCount in team mode, 0 in free-for-all and for unknown entities. */
  teamOf(entity: number): number {
    return this.playersById.get(entity)?.team ?? 0;
  }

  /**
   * Queues an input for the next step. Refused (false) for unknown entities, sequences that are not safe
   * integers, sequences at or below the last applied one or already queued, and when the player's queue is
   * full. Inputs queued out of order are applied in sequence order.
   */
  queueInput(entity: number, input: PlayerInput): boolean {
    const player = this.playersById.get(entity);
    if (player === undefined) return false;
    if (!Number.isSafeInteger(input.sequence) || input.sequence <= player.lastSequence) return false;
    return player.inputs.push(input);
  }

  /** Sequence of the last input applied for the entity; 0 before any and for unknown entities. */
  lastInputSequence(entity: number): number {
    return this.playersById.get(entity)?.lastSequence ?? 0;
  }

  /**
   * Advances one fixed tick and returns its events. The returned array is reused: the next step() clears and
   * refills it, so copy it to keep it (the event objects themselves are never reused).
   */
  step(): readonly SimEvent[] {
    this.events.length = 0;
    const now = ++this.currentTick;
    if (this.matchPhase === MatchPhase.Finished) {
      this.consumeInputs(false);
      return this.events;
    }
    this.respawnDuePlayers(now);
    this.consumeInputs(true);
    this.resolveShots(now);
    if (this.matchPhase === MatchPhase.Playing) {
      this.movePlayers();
      this.countDown();
    }
    return this.events;
  }

  /** A fresh snapshot: entities sorted by id, every field an integer. */
  snapshot(): SnapshotState {
    return {
      tick: this.currentTick,
      phase: this.matchPhase,
      ticksLeft: this.ticksLeft,
      entities: this.players.map(toEntityState),
    };
  }

  /** Kills (score) and deaths per player, best first: score desc, then deaths asc, then entity asc. */
  results(): PlayerResult[] {
    return this.players
      .map((player) => ({ entity: player.id, team: player.team, score: player.score, deaths: player.deaths }))
      .sort((a, b) => b.score - a.score || a.deaths - b.deaths || a.entity - b.entity);
  }

  /** Score and deaths per team, best first: score desc, then deaths asc, then team asc; empty in free-for-all. */
  teamResults(): TeamResult[] {
    return this.teams
      .map(({ team, score, deaths }) => ({ team, score, deaths }))
      .sort((a, b) => b.score - a.score || a.deaths - b.deaths || a.team - b.team);
  }

  /** Starts a new match with the same players on the same teams: scores cleared, everyone respawned, clock reset. */
  restart(seed?: number): void {
    // A new seed makes the match a function of its seed, roster and inputs alone: a replay of it can start
    // from a fresh simulation seeded the same, with the same players added in id order.
    if (seed !== undefined) this.random = new SeededRandom(seed);
    for (const team of this.teams) {
      team.score = 0;
      team.deaths = 0;
    }
    for (const player of this.players) {
      player.score = 0;
      player.deaths = 0;
      player.respawnTick = 0;
      player.inputs.clear();
      this.spawn(player);
    }
    this.matchPhase = MatchPhase.Playing;
    this.ticksLeft = this.timings.matchTicks;
  }

  private checkTeam(team: number | undefined): number {
    if (this.teamCount === 0) {
      if (team === undefined || team === 0) return 0;
      throw new SimError('invalid_team', `A free-for-all match has no teams, got team ${team}`);
    }
    if (team === undefined || !Number.isInteger(team) || team < 1 || team > this.teamCount) {
      throw new SimError('invalid_team', `A team match needs a team from 1 to ${this.teamCount}, got ${team}`);
    }
    return team;
  }

  private spawn(player: Player): void {
    const extent = this.rules.arenaHalfSize - this.rules.playerRadius;
    const x = this.spawnX(player.team, extent);
    const z = this.random.between(-extent, extent);
    // Facing the centre means a fresh spawn looks into the arena rather than at a wall.
    player.spawn(x, z, Math.atan2(-x, -z), this.rules.maxHealth);
  }

  /**
   * Anywhere across the arena in free-for-all. In team mode the arena is cut into one strip per team along x
   * (team 1 at the -x wall) and a player spawns in the middle part of their team's strip, so teams start apart.
   */
  private spawnX(team: number, extent: number): number {
    if (team === 0) return this.random.between(-extent, extent);
    const stripWidth = (2 * extent) / this.teamCount;
    const zoneStart = -extent + (team - 1 + (1 - SPAWN_ZONE_SHARE_OF_STRIP) / 2) * stripWidth;
    return this.random.between(zoneStart, zoneStart + SPAWN_ZONE_SHARE_OF_STRIP * stripWidth);
  }

  private respawnDuePlayers(now: number): void {
    for (const player of this.players) {
      if (player.alive || now < player.respawnTick) continue;
      this.spawn(player);
      this.events.push({ type: 'respawn', entity: player.id });
    }
  }

  /**
   * Drains every queue in sequence order. The sequence always advances (so clients see their inputs
   * acknowledged), but only alive players in a running match act on them.
   */
  private consumeInputs(matchRunning: boolean): void {
    for (const player of this.players) {
      const queue = player.inputs;
      if (queue.length === 0) continue;
      const acts = matchRunning && player.alive;
      if (acts) {
        for (let i = 0; i < queue.length; i++) this.applyActions(player, queue.at(i));
      }
      const latest = queue.at(queue.length - 1);
      player.lastSequence = latest.sequence;
      // Movement is a held state, not a sum of inputs: only the newest intent counts, whatever the input rate.
      if (acts) {
        player.moveX = latest.moveX;
        player.moveZ = latest.moveZ;
      }
      queue.clear();
    }
  }

  private applyActions(player: Player, input: Readonly<QueuedInput>): void {
    if (input.hasAim) player.faceDirection(input.aimX, input.aimY, input.aimZ);
    if (input.jump) tryJump(player, this.rules);
    if (input.shoot) player.wantsToShoot = true;
  }

  /** Fires in id order, at most one shot per player per step, while the cooldown allows. */
  private resolveShots(now: number): void {
    for (const shooter of this.players) {
      if (!shooter.wantsToShoot) continue;
      shooter.wantsToShoot = false;
      if (!shooter.alive || now < shooter.nextShotTick || this.matchPhase !== MatchPhase.Playing) continue;
      shooter.nextShotTick = now + this.timings.weaponCooldownTicks;
      const target = this.findTarget(shooter);
      if (target !== undefined) this.hit(shooter, target, now);
    }
  }

  /**
   * The nearest other alive player whose hit sphere the shooter's eye ray enters within range. Without friendly
   * fire teammates are no targets at all, so the ray passes through them to an enemy behind.
   */
  private findTarget(shooter: Player): Player | undefined {
    const { eyeHeight, hitCentreHeight, hitRadius, weaponRange } = this.rules;
    const eyeY = shooter.y + eyeHeight;
    let nearest: Player | undefined;
    let nearestDistance = Infinity;
    for (const other of this.players) {
      if (other === shooter || !other.alive || (this.teammatesAreSpared && other.team === shooter.team)) continue;
      const distance = raySphereDistance(
        shooter.x,
        eyeY,
        shooter.z,
        shooter.aimX,
        shooter.aimY,
        shooter.aimZ,
        other.x,
        other.y + hitCentreHeight,
        other.z,
        hitRadius,
      );
      if (distance <= weaponRange && distance < nearestDistance) {
        nearest = other;
        nearestDistance = distance;
      }
    }
    return nearest;
  }

  private hit(shooter: Player, target: Player, now: number): void {
    const damage = this.rules.weaponDamage;
    target.health = Math.max(0, target.health - damage);
    this.events.push({ type: 'hit', shooter: shooter.id, target: target.id, damage });
    if (target.health > 0) return;
    target.die(now + this.timings.respawnDelayTicks);
    target.deaths++;
    this.events.push({ type: 'kill', killer: shooter.id, victim: target.id });
    if (this.teamCount > 0) {
      this.scoreTeamKill(shooter, target);
      return;
    }
    shooter.score++;
    if (shooter.score >= this.settings.scoreLimit) this.finish('score_limit');
  }

  /** The victim's team always counts the death; only killing an enemy scores, for the killer and their team. */
  private scoreTeamKill(killer: Player, victim: Player): void {
    this.teamTally(victim.team).deaths++;
    if (killer.team === victim.team) return;
    killer.score++;
    const killerTeam = this.teamTally(killer.team);
    killerTeam.score++;
    if (killerTeam.score >= this.settings.scoreLimit) this.finish('score_limit');
  }

  private teamTally(team: number): TeamResult {
    const tally = this.teams[team - 1];
    // Unreachable: addPlayer only admits teams 1..teamCount.
    if (tally === undefined) throw new RangeError(`No team ${team} in a match of ${this.teamCount} teams`);
    return tally;
  }

  private movePlayers(): void {
    for (const player of this.players) {
      if (player.alive) integrate(player, this.rules, this.timings.dt);
    }
  }

  private countDown(): void {
    this.ticksLeft = Math.max(0, this.ticksLeft - 1);
    if (this.ticksLeft === 0) this.finish('time_limit');
  }

  private finish(reason: MatchEndReason): void {
    this.matchPhase = MatchPhase.Finished;
    this.events.push({ type: 'match_end', reason });
  }
}
