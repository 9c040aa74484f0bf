import { describe, expect, it } from 'vitest';
import { Predictor } from '../client/web/src/game/prediction.js';
import { ArenaSimulation } from '../src/sim/index.js';

const TICK_RATE = 60;
/** Ticks an input or a snapshot spends on the wire: 150 ms each way. */
const LATENCY_TICKS = 9;
const SNAPSHOT_EVERY = 3;

/** The snapshot's precision: positions travel as whole millimetres. */
const wire = (metres: number) => Math.round(metres * 1000) / 1000;

describe('the browser game predicting its own player', () => {
  it('agrees with the authoritative simulation under 150 ms each way, walls included', () => {
    const sim = new ArenaSimulation({ tickRate: TICK_RATE, maxEntities: 2, scoreLimit: 100, timeLimitSeconds: 600, seed: 7 });
    const entity = sim.addPlayer();
    const spawn = sim.snapshot().entities[0]!;
    const predictor = new Predictor(sim.rules, 1 / TICK_RATE, 1);
    predictor.reset(spawn.x / 1000, spawn.z / 1000);

    const toServer: { at: number; sequence: number; movement: { x: number; y: number; z: number } }[] = [];
    const toClient: { at: number; x: number; z: number; ack: number }[] = [];
    let largestCorrection = 0;
    let touchedWall = false;
    const wallAt = sim.rules.arenaHalfSize - sim.rules.playerRadius;
    const ticks = 600;
    for (let tick = 1; tick <= ticks + 4 * LATENCY_TICKS; tick++) {
      // Runs into a wall and along it, turns, stops: every branch of the movement rule. The page sends an input
      // every tick, standing still included (the server holds the last movement until told otherwise).
      const phase = Math.floor(tick / 120) % 4;
      const movement = tick > ticks ? { x: 0, z: 0 } : [{ x: 1, z: 0 }, { x: 0.6, z: -0.8 }, { x: -1, z: 1 }, { x: 0, z: 0 }][phase]!;
      predictor.apply(tick, movement);
      toServer.push({ at: tick + LATENCY_TICKS, sequence: tick, movement: { ...movement, y: 0 } });
      while (toServer[0] && toServer[0].at <= tick) {
        const input = toServer.shift()!;
        sim.queueInput(entity, { sequence: input.sequence, movement: input.movement, actions: [] });
      }
      sim.step();
      if (tick % SNAPSHOT_EVERY === 0) {
        const state = sim.snapshot().entities[0]!;
        touchedWall ||= Math.max(Math.abs(state.x), Math.abs(state.z)) / 1000 >= wallAt - 0.001;
        toClient.push({ at: tick + LATENCY_TICKS, x: state.x / 1000, z: state.z / 1000, ack: sim.lastInputSequence(entity) });
      }
      while (toClient[0] && toClient[0].at <= tick) {
        const snapshot = toClient.shift()!;
        const beforeX = predictor.x;
        const beforeZ = predictor.z;
        predictor.reconcile(snapshot.x, snapshot.z, snapshot.ack);
        largestCorrection = Math.max(largestCorrection, Math.hypot(predictor.x - beforeX, predictor.z - beforeZ));
      }
    }
    const final = sim.snapshot().entities[0]!;
    expect(touchedWall).toBe(true);
    expect(wire(predictor.x)).toBeCloseTo(final.x / 1000, 3);
    expect(wire(predictor.z)).toBeCloseTo(final.z / 1000, 3);
    // Reconciling only ever fixes the millimetre rounding of the wire, never a visible jump.
    expect(largestCorrection).toBeLessThan(0.005);
  });
});
