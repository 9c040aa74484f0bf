import { DEFAULT_ARENA_RULES, type ArenaSimulation, type EntityState, type SimEvent, type SimSettings, type Vec3 } from '../../src/sim/index.js';

export const TICK_RATE = 20;
/** Snapshot positions are in millimetres. */
export const MM = 1000;
export const COOLDOWN_TICKS = DEFAULT_ARENA_RULES.weaponCooldownSeconds * TICK_RATE;
export const RESPAWN_TICKS = DEFAULT_ARENA_RULES.respawnDelaySeconds * TICK_RATE;
export const SHOTS_TO_KILL = DEFAULT_ARENA_RULES.maxHealth / DEFAULT_ARENA_RULES.weaponDamage;

export function settings(overrides: Partial<SimSettings> = {}): SimSettings {
  return { tickRate: TICK_RATE, maxEntities: 16, scoreLimit: 10, timeLimitSeconds: 300, seed: 42, ...overrides };
}

export const still: Vec3 = { x: 0, y: 0, z: 0 };

/** Builds inputs with increasing sequences for one player. */
export class Controller {
  private sequence = 0;

  constructor(
    private readonly sim: ArenaSimulation,
    readonly id: number,
  ) {}

  send(movement: Vec3 = still, actions: string[] = [], aim?: Vec3): boolean {
    this.sequence++;
    return this.sim.queueInput(this.id, { sequence: this.sequence, movement, actions, ...(aim ? { aim } : {}) });
  }
}

export function entity(sim: ArenaSimulation, id: number): EntityState {
  const found = sim.snapshot().entities.find((e) => e.id === id);
  if (!found) throw new Error(`entity ${id} missing from the snapshot`);
  return found;
}

/** Direction from the shooter's eye to the centre of the target's hit sphere, in metres. */
export function aimAt(sim: ArenaSimulation, shooter: number, target: number): Vec3 {
  const from = entity(sim, shooter);
  const to = entity(sim, target);
  return {
    x: (to.x - from.x) / MM,
    y: (to.y - from.y) / MM + DEFAULT_ARENA_RULES.hitCentreHeight - DEFAULT_ARENA_RULES.eyeHeight,
    z: (to.z - from.z) / MM,
  };
}

/** Shoots `target` once per tick until it dies; returns the events of the killing step. */
export function killTarget(sim: ArenaSimulation, shooter: Controller, target: number): readonly SimEvent[] {
  for (let i = 0; i < SHOTS_TO_KILL * COOLDOWN_TICKS + 1; i++) {
    shooter.send(still, ['shoot'], aimAt(sim, shooter.id, target));
    const events = sim.step();
    if (events.some((e) => e.type === 'kill')) return [...events];
  }
  throw new Error('target survived');
}
