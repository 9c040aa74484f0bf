import { describe, expect, it } from 'vitest';
import {
  ArenaSimulation,
  DEFAULT_ARENA_RULES,
  ENTITY_FIELDS,
  MatchPhase,
  SimError,
  type PlayerInput,
  type SimEvent,
  type SimSettings,
  type SnapshotState,
  type Vec3,
} from '../src/sim/index.js';
import { COOLDOWN_TICKS, Controller, killTarget, MM, RESPAWN_TICKS, TICK_RATE, aimAt, entity, settings, still } from './support/sim.js';

/** Largest horizontal step in millimetres, plus one millimetre of quantisation slack per axis. */
const MAX_STEP_MM = (DEFAULT_ARENA_RULES.moveSpeed / TICK_RATE) * MM + 1.5;
const WALL_MM = (DEFAULT_ARENA_RULES.arenaHalfSize - DEFAULT_ARENA_RULES.playerRadius) * MM;

/** Steps until the player stands still against the given corner (signs of x and z). */
function walkToCorner(sim: ArenaSimulation, player: Controller, signX: number, signZ: number): void {
  for (let i = 0; i < 400; i++) {
    player.send({ x: signX, y: 0, z: signZ });
    sim.step();
  }
  player.send(still);
  sim.step();
}

function twoPlayers(overrides: Partial<SimSettings> = {}) {
  const sim = new ArenaSimulation(settings(overrides));
  const a = new Controller(sim, sim.addPlayer());
  const b = new Controller(sim, sim.addPlayer());
  return { sim, a, b };
}

describe('movement', () => {
  it('caps the speed against huge vectors, many inputs per tick and non-finite values', () => {
    const sim = new ArenaSimulation(settings());
    const cheater = new Controller(sim, sim.addPlayer());
    const bogus: Vec3[] = [
      { x: 1e9, y: 1e9, z: -1e9 },
      { x: Number.MAX_VALUE, y: 0, z: Number.MAX_VALUE },
      { x: Infinity, y: 0, z: 3 },
      { x: NaN, y: 0, z: -50 },
      { x: -1e-300, y: 0, z: 1e300 },
    ];
    let previous = entity(sim, cheater.id);
    for (let tick = 0; tick < 60; tick++) {
      for (let i = 0; i < 10; i++) cheater.send(bogus[(tick + i) % bogus.length]);
      sim.step();
      const current = entity(sim, cheater.id);
      expect(Math.hypot(current.x - previous.x, current.z - previous.z)).toBeLessThanOrEqual(MAX_STEP_MM);
      previous = current;
    }
  });

  it('moves at intent × moveSpeed and keeps moving while no new input arrives', () => {
    const sim = new ArenaSimulation(settings());
    const player = new Controller(sim, sim.addPlayer());
    player.send({ x: 0.5, y: 0, z: 0 });
    sim.step();
    const start = entity(sim, player.id);
    sim.step();
    const after = entity(sim, player.id);
    expect(after.x - start.x).toBeCloseTo(((0.5 * DEFAULT_ARENA_RULES.moveSpeed) / TICK_RATE) * MM, -1);
    expect(after.vx).toBe(0.5 * DEFAULT_ARENA_RULES.moveSpeed * MM);
  });

  it('keeps players inside the walls', () => {
    const sim = new ArenaSimulation(settings());
    const player = new Controller(sim, sim.addPlayer());
    walkToCorner(sim, player, 1, -1);
    expect(entity(sim, player.id)).toMatchObject({ x: WALL_MM, z: -WALL_MM });
    walkToCorner(sim, player, -1, 1);
    expect(entity(sim, player.id)).toMatchObject({ x: -WALL_MM, z: WALL_MM });
  });

  it('jumps from the ground, lands back on it and cannot jump again in the air', () => {
    const sim = new ArenaSimulation(settings());
    const player = new Controller(sim, sim.addPlayer());
    expect(entity(sim, player.id).y).toBe(0);

    player.send(still, ['jump']);
    sim.step();
    let state = entity(sim, player.id);
    expect(state.y).toBeGreaterThan(0);

    let airborneTicks = 0;
    while (state.y > 0) {
      const before = state;
      player.send(still, ['jump']);
      sim.step();
      state = entity(sim, player.id);
      if (state.y > 0) expect(state.vy).toBeLessThan(before.vy);
      expect(++airborneTicks).toBeLessThan(TICK_RATE * 2);
    }
    expect(state).toMatchObject({ y: 0, vy: 0 });
    expect(airborneTicks).toBeGreaterThan(TICK_RATE / 2);

    player.send(still, ['jump']);
    sim.step();
    expect(entity(sim, player.id).y).toBeGreaterThan(0);
  });
});

describe('shooting', () => {
  it('lowers the health of the player it is aimed at by the damage', () => {
    const { sim, a, b } = twoPlayers();
    a.send(still, ['shoot'], aimAt(sim, a.id, b.id));
    const events = sim.step();
    expect(events).toEqual([{ type: 'hit', shooter: a.id, target: b.id, damage: DEFAULT_ARENA_RULES.weaponDamage }]);
    expect(entity(sim, b.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth - DEFAULT_ARENA_RULES.weaponDamage);
    expect(entity(sim, a.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
  });

  it('misses when aimed away', () => {
    const { sim, a, b } = twoPlayers();
    const towards = aimAt(sim, a.id, b.id);
    a.send(still, ['shoot'], { x: -towards.x, y: 0, z: -towards.z });
    expect(sim.step()).toEqual([]);
    expect(entity(sim, b.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
  });

  it('misses beyond the weapon range', () => {
    const { sim, a, b } = twoPlayers();
    walkToCorner(sim, a, -1, -1);
    walkToCorner(sim, b, 1, 1);
    const aim = aimAt(sim, a.id, b.id);
    expect(Math.hypot(aim.x, aim.z)).toBeGreaterThan(DEFAULT_ARENA_RULES.weaponRange);
    a.send(still, ['shoot'], aim);
    expect(sim.step()).toEqual([]);
    expect(entity(sim, b.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
  });

  it('hits within a custom range and misses beyond it', () => {
    const sim = new ArenaSimulation(settings(), { weaponRange: 10 });
    const a = new Controller(sim, sim.addPlayer());
    const b = new Controller(sim, sim.addPlayer());
    walkToCorner(sim, a, -1, -1);
    walkToCorner(sim, b, -1, 1);
    a.send(still, ['shoot'], aimAt(sim, a.id, b.id));
    expect(sim.step()).toEqual([]);
    for (let i = 0; i < 400 && entity(sim, b.id).z > -WALL_MM + 5 * MM; i++) {
      b.send({ x: 0, y: 0, z: -1 });
      sim.step();
    }
    b.send(still);
    a.send(still, ['shoot'], aimAt(sim, a.id, b.id));
    expect(sim.step().map((e) => e.type)).toEqual(['hit']);
  });

  it('limits the fire rate to one shot per cooldown', () => {
    const { sim, a, b } = twoPlayers();
    let hits = 0;
    const ticks = 2 * COOLDOWN_TICKS;
    for (let i = 0; i < ticks; i++) {
      for (let burst = 0; burst < 5; burst++) a.send(still, ['shoot'], aimAt(sim, a.id, b.id));
      hits += sim.step().filter((e) => e.type === 'hit').length;
    }
    expect(hits).toBe(ticks / COOLDOWN_TICKS);
  });

  it('scores a kill for the killer and a death for the victim', () => {
    const { sim, a, b } = twoPlayers();
    const events = killTarget(sim, a, b.id);
    expect(events).toContainEqual({ type: 'kill', killer: a.id, victim: b.id });
    expect(entity(sim, a.id)).toMatchObject({ score: 1, deaths: 0 });
    expect(entity(sim, b.id)).toMatchObject({ score: 0, deaths: 1, alive: 0, health: 0 });
    expect(sim.results()).toEqual([
      { entity: a.id, team: 0, score: 1, deaths: 0 },
      { entity: b.id, team: 0, score: 0, deaths: 1 },
    ]);
  });

  it('lets the dead neither move nor shoot, and respawns them after the delay with full health', () => {
    const { sim, a, b } = twoPlayers();
    killTarget(sim, a, b.id);
    const corpse = entity(sim, b.id);

    for (let i = 1; i < RESPAWN_TICKS; i++) {
      b.send({ x: 1, y: 0, z: 1 }, ['shoot'], aimAt(sim, b.id, a.id));
      expect(sim.step()).toEqual([]);
      expect(entity(sim, b.id)).toMatchObject({ alive: 0, x: corpse.x, z: corpse.z });
    }
    expect(entity(sim, a.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
    expect(sim.lastInputSequence(b.id)).toBe(RESPAWN_TICKS - 1);

    expect(sim.step()).toEqual([{ type: 'respawn', entity: b.id }]);
    expect(entity(sim, b.id)).toMatchObject({ alive: 1, health: DEFAULT_ARENA_RULES.maxHealth, deaths: 1 });
  });

  it('keeps the last aim for inputs that carry none', () => {
    const { sim, a, b } = twoPlayers();
    a.send(still, [], aimAt(sim, a.id, b.id));
    sim.step();
    a.send(still, ['shoot']);
    expect(sim.step().map((e) => e.type)).toEqual(['hit']);
  });
});

describe('match end', () => {
  it('ends by score limit and then freezes everything but the tick and input sequences', () => {
    const { sim, a, b } = twoPlayers({ scoreLimit: 1 });
    const events = killTarget(sim, a, b.id);
    expect(events.filter((e) => e.type === 'match_end')).toEqual([{ type: 'match_end', reason: 'score_limit' }]);
    expect(sim.phase).toBe(MatchPhase.Finished);

    const frozen = sim.snapshot();
    for (let i = 0; i < RESPAWN_TICKS + 5; i++) {
      a.send({ x: 1, y: 0, z: 0 }, ['shoot', 'jump']);
      expect(sim.step()).toEqual([]);
    }
    const later = sim.snapshot();
    expect(later.tick).toBe(frozen.tick + RESPAWN_TICKS + 5);
    expect(later.phase).toBe(MatchPhase.Finished);
    expect(later.ticksLeft).toBe(frozen.ticksLeft);
    const lastSent = sim.lastInputSequence(a.id);
    expect(later.entities).toEqual(
      frozen.entities.map((e) => (e.id === a.id ? { ...e, lastInput: lastSent } : e)),
    );
  });

  it('ends by time limit after timeLimitSeconds * tickRate ticks', () => {
    const { sim, a } = twoPlayers({ timeLimitSeconds: 2 });
    const matchTicks = 2 * TICK_RATE;
    expect(sim.snapshot().ticksLeft).toBe(matchTicks);
    for (let i = 1; i < matchTicks; i++) expect(sim.step()).toEqual([]);
    expect(sim.phase).toBe(MatchPhase.Playing);
    expect(sim.step()).toEqual([{ type: 'match_end', reason: 'time_limit' }]);
    expect(sim.snapshot()).toMatchObject({ phase: MatchPhase.Finished, ticksLeft: 0, tick: matchTicks });

    const before = entity(sim, a.id);
    a.send({ x: 1, y: 0, z: 0 }, ['jump']);
    expect(sim.step()).toEqual([]);
    expect(entity(sim, a.id)).toEqual({ ...before, lastInput: before.lastInput + 1 });
  });

  it('restarts with scores cleared, everyone alive and the clock reset, while the tick keeps counting', () => {
    const { sim, a, b } = twoPlayers({ scoreLimit: 1 });
    killTarget(sim, a, b.id);
    const tick = sim.tick;
    sim.restart();
    expect(sim.phase).toBe(MatchPhase.Playing);
    expect(sim.tick).toBe(tick);
    const state = sim.snapshot();
    expect(state.ticksLeft).toBe(300 * TICK_RATE);
    for (const e of state.entities) {
      expect(e).toMatchObject({ score: 0, deaths: 0, alive: 1, health: DEFAULT_ARENA_RULES.maxHealth, y: 0 });
    }
    sim.step();
    expect(sim.tick).toBe(tick + 1);
    const towardsCentre = entity(sim, a.id).x > 0 ? -1 : 1;
    a.send({ x: towardsCentre, y: 0, z: 0 });
    sim.step();
    expect(entity(sim, a.id).vx).toBe(towardsCentre * DEFAULT_ARENA_RULES.moveSpeed * MM);
  });
});

describe('entities', () => {
  it('enforces max_entities with SimError and never reuses ids', () => {
    const sim = new ArenaSimulation(settings({ maxEntities: 2 }));
    expect([sim.addPlayer(), sim.addPlayer()]).toEqual([1, 2]);
    let error: unknown;
    try {
      sim.addPlayer();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SimError);
    expect((error as SimError).code).toBe('max_entities');

    sim.removePlayer(1);
    sim.removePlayer(99);
    expect(sim.hasEntity(1)).toBe(false);
    expect(sim.entityCount).toBe(1);
    expect(sim.addPlayer()).toBe(3);
    expect(sim.snapshot().entities.map((e) => e.id)).toEqual([2, 3]);
  });

  it('spawns players inside the arena, alive, on the ground, with full health', () => {
    const sim = new ArenaSimulation(settings());
    for (let i = 0; i < 16; i++) sim.addPlayer();
    for (const e of sim.snapshot().entities) {
      expect(Math.abs(e.x)).toBeLessThanOrEqual(WALL_MM);
      expect(Math.abs(e.z)).toBeLessThanOrEqual(WALL_MM);
      expect(e).toMatchObject({ y: 0, alive: 1, health: DEFAULT_ARENA_RULES.maxHealth, lastInput: 0 });
    }
  });
});

describe('input sequencing', () => {
  const input = (sequence: number, movement: Vec3 = still, actions: string[] = []): PlayerInput => ({
    sequence,
    movement,
    actions,
  });

  it('ignores stale, duplicate, invalid and unknown-entity inputs', () => {
    const sim = new ArenaSimulation(settings());
    const id = sim.addPlayer();
    expect(sim.queueInput(id, input(5))).toBe(true);
    expect(sim.queueInput(id, input(5))).toBe(false);
    expect(sim.queueInput(id, input(NaN))).toBe(false);
    expect(sim.queueInput(id, input(Infinity))).toBe(false);
    expect(sim.queueInput(99, input(6))).toBe(false);
    sim.step();
    expect(sim.lastInputSequence(id)).toBe(5);
    expect(entity(sim, id).lastInput).toBe(5);
    expect(sim.queueInput(id, input(4))).toBe(false);
    expect(sim.queueInput(id, input(5))).toBe(false);
    expect(sim.queueInput(id, input(6))).toBe(true);
    sim.step();
    expect(entity(sim, id).lastInput).toBe(6);
  });

  it('refuses inputs beyond the queue limit', () => {
    const sim = new ArenaSimulation(settings());
    const id = sim.addPlayer();
    for (let s = 1; s <= DEFAULT_ARENA_RULES.maxQueuedInputs; s++) expect(sim.queueInput(id, input(s))).toBe(true);
    expect(sim.queueInput(id, input(DEFAULT_ARENA_RULES.maxQueuedInputs + 1))).toBe(false);
    sim.step();
    expect(sim.lastInputSequence(id)).toBe(DEFAULT_ARENA_RULES.maxQueuedInputs);
    expect(sim.queueInput(id, input(DEFAULT_ARENA_RULES.maxQueuedInputs + 1))).toBe(true);
  });

  it('applies out-of-order inputs in sequence order: every action counts, the latest movement wins', () => {
    const sim = new ArenaSimulation(settings());
    const id = sim.addPlayer();
    const start = entity(sim, id);
    expect(sim.queueInput(id, input(2, { x: 1, y: 0, z: 0 }))).toBe(true);
    expect(sim.queueInput(id, input(1, { x: -1, y: 0, z: 0 }, ['jump']))).toBe(true);
    sim.step();
    const after = entity(sim, id);
    expect(after.lastInput).toBe(2);
    expect(after.vx).toBe(DEFAULT_ARENA_RULES.moveSpeed * MM);
    expect(after.x).toBeGreaterThan(start.x);
    expect(after.y).toBeGreaterThan(0);
  });
});

describe('determinism and snapshots', () => {
  /** A small deterministic script generator, independent of the simulation's own PRNG. */
  function scriptedRun(seed: number, ticks: number): { snapshots: SnapshotState[]; events: SimEvent[][] } {
    const sim = new ArenaSimulation(settings({ seed, scoreLimit: 3 }));
    const players = [1, 2, 3, 4].map(() => new Controller(sim, sim.addPlayer()));
    let state = 12345;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const snapshots: SnapshotState[] = [];
    const events: SimEvent[][] = [];
    for (let t = 0; t < ticks; t++) {
      for (const player of players) {
        const actions = [next() < 0.05 ? 'jump' : '', next() < 0.5 ? 'shoot' : ''].filter(Boolean);
        const target = players[Math.floor(next() * players.length)]!;
        const aim = target.id === player.id ? { x: next() - 0.5, y: 0, z: next() - 0.5 } : aimAt(sim, player.id, target.id);
        player.send({ x: next() * 2 - 1, y: 0, z: next() * 2 - 1 }, actions, aim);
      }
      events.push([...sim.step()]);
      snapshots.push(sim.snapshot());
    }
    return { snapshots, events };
  }

  it('produces identical snapshots and events tick by tick for the same seed and inputs', () => {
    const first = scriptedRun(7, 400);
    const second = scriptedRun(7, 400);
    expect(second.snapshots).toEqual(first.snapshots);
    expect(second.events).toEqual(first.events);
    expect(first.events.flat().some((e) => e.type === 'kill')).toBe(true);
  });

  it('spawns differently for a different seed', () => {
    const a = new ArenaSimulation(settings({ seed: 1 }));
    const b = new ArenaSimulation(settings({ seed: 2 }));
    a.addPlayer();
    b.addPlayer();
    expect(a.snapshot().entities).not.toEqual(b.snapshot().entities);
  });

  it('reports only integer fields, never -0', () => {
    const { snapshots } = scriptedRun(3, 200);
    const drifting = new ArenaSimulation(settings());
    const drifter = new Controller(drifting, drifting.addPlayer());
    drifter.send({ x: -1e-9, y: 0, z: -0 }, [], { x: -1e-9, y: 0, z: 1 });
    drifting.step();
    snapshots.push(drifting.snapshot());
    for (const snapshot of snapshots) {
      expect(Number.isInteger(snapshot.tick) && Number.isInteger(snapshot.ticksLeft)).toBe(true);
      for (const e of snapshot.entities) {
        for (const field of ['id', ...ENTITY_FIELDS] as const) {
          expect(Number.isInteger(e[field]), `${field} = ${e[field]}`).toBe(true);
          expect(Object.is(e[field], -0)).toBe(false);
        }
      }
    }
  });
});
