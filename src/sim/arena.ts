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
} from './types.js';

type MatchEndReason = Extract<SimEvent, { type: 'match_end' }>['reason'];

/**
 * The authoritative deathmatch: players move on a flat walled square, jump, and shoot hitscan rays at each
 * other. Pure and deterministic: the same settings, calls and inputs give the same snapshots, tick by tick.
 */
export class ArenaSimulation {
  readonly rules: Readonly<ArenaRules>;
  private readonly settings: Readonly<SimSettings>;
  private readonly timings: TickTimings;
  private readonly random: SeededRandom;
  /** Sorted by id: ids only grow, so appending keeps the order. */
  private readonly players: Player[] = [];
  private readonly playersById = new Map<number, Player>();
  /** Returned by step() and refilled by the next one, so steps allocate nothing when nothing happens. */
  private readonly events: SimEvent[] = [];
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

  /** Spawns a new player at a deterministic spawn point and returns its id (1, 2, 3…, never reused). */
  addPlayer(): number {
    if (this.players.length >= this.settings.maxEntities) {
      throw new SimError('max_entities', `The simulation already holds its maximum of ${this.settings.maxEntities} entities`);
    }
    const player = new Player(this.nextId++, this.rules.maxQueuedInputs);
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
      .map((player) => ({ entity: player.id, score: player.score, deaths: player.deaths }))
      .sort((a, b) => b.score - a.score || a.deaths - b.deaths || a.entity - b.entity);
  }

  /** Starts a new match with the same players: scores cleared, everyone respawned, clock reset. */
  restart(): void {
    for (const player of this.players) {
      player.score = 0;
      player.deaths = 0;
      this.spawn(player);
    }
    this.matchPhase = MatchPhase.Playing;
    this.ticksLeft = this.timings.matchTicks;
  }

  private spawn(player: Player): void {
    const extent = this.rules.arenaHalfSize - this.rules.playerRadius;
    const x = this.random.between(-extent, extent);
    const z = this.random.between(-extent, extent);
    // Facing the centre means a fresh spawn looks into the arena rather than at a wall.
    player.spawn(x, z, Math.atan2(-x, -z), this.rules.maxHealth);
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

  /** The nearest other alive player whose hit sphere the shooter's eye ray enters within range. */
  private findTarget(shooter: Player): Player | undefined {
    const { eyeHeight, hitCentreHeight, hitRadius, weaponRange } = this.rules;
    const eyeY = shooter.y + eyeHeight;
    let nearest: Player | undefined;
    let nearestDistance = Infinity;
    for (const other of this.players) {
      if (other === shooter || !other.alive) continue;
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
    shooter.score++;
    this.events.push({ type: 'kill', killer: shooter.id, victim: target.id });
    if (shooter.score >= this.settings.scoreLimit) this.finish('score_limit');
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
