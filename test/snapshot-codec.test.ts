import { describe, expect, it } from 'vitest';
import { SnapshotEncoder, SnapshotFormatError, decodeSnapshot, snapshotBaseline } from '../src/protocol/index.js';
import { ArenaSimulation, type EntityState, type SnapshotState } from '../src/sim/index.js';

function entity(id: number, overrides: Partial<EntityState> = {}): EntityState {
  return { id, x: 0, y: 0, z: 0, vx: 0, vy: 0, vz: 0, yaw: 0, health: 100, score: 0, deaths: 0, alive: 1, lastInput: 0, ...overrides };
}

function state(tick: number, entities: EntityState[], phase: 0 | 1 = 0, ticksLeft = 1000): SnapshotState {
  return { tick, phase, ticksLeft, entities };
}

/** A deterministic pseudo-random walk of integers, so failures reproduce. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('delta snapshots', () => {
  const encoder = new SnapshotEncoder();

  it('round-trips a full snapshot exactly, including large and negative values', () => {
    const full = state(7, [
      entity(1, { x: -19_600, y: 1234, z: 19_600, vx: -6000, vy: 7000, yaw: -3141, lastInput: 1_795_535_859_217 }),
      entity(2, { health: 0, alive: 0, deaths: 3, score: 12 }),
    ], 1, 0);
    const bytes = encoder.encode(full);
    expect(snapshotBaseline(bytes)).toBeUndefined();
    expect(decodeSnapshot(bytes)).toEqual(full);
  });

  it('reproduces the full state from any acknowledged baseline, with joins and leaves', () => {
    const next = random(42);
    let entities = [entity(1), entity(2), entity(3)];
    const history: SnapshotState[] = [];
    for (let tick = 1; tick <= 200; tick++) {
      entities = entities.map((e) =>
        next() < 0.3 ? e : { ...e, x: e.x + Math.round((next() - 0.5) * 400), z: e.z + Math.round((next() - 0.5) * 400), lastInput: e.lastInput + 1 },
      );
      if (next() < 0.05) entities = entities.filter((_, i) => i !== Math.floor(next() * entities.length));
      if (next() < 0.05) entities = [...entities, entity(100 + tick, { x: tick })];
      const current = state(tick, entities.map((e) => ({ ...e })));
      for (const base of history.slice(-5)) {
        const bytes = encoder.encode(current, base);
        expect(snapshotBaseline(bytes)).toBe(base.tick);
        expect(decodeSnapshot(bytes, base)).toEqual(current);
      }
      history.push(current);
    }
  });

  it('reproduces a real simulation exactly, and a delta is much smaller than a full snapshot', () => {
    const sim = new ArenaSimulation({ tickRate: 20, maxEntities: 100, scoreLimit: 50, timeLimitSeconds: 60, seed: 7 });
    const ids = Array.from({ length: 10 }, () => sim.addPlayer());
    let client = decodeSnapshot(encoder.encode(sim.snapshot()));
    let fullBytes = 0;
    let deltaBytes = 0;
    for (let tick = 1; tick <= 100; tick++) {
      ids.forEach((id, i) =>
        sim.queueInput(id, { sequence: tick, movement: { x: Math.sin(tick + i), y: 0, z: Math.cos(tick) }, actions: tick % 10 === i ? ['shoot', 'jump'] : [] }),
      );
      sim.step();
      const truth = sim.snapshot();
      const delta = encoder.encode(truth, client);
      client = decodeSnapshot(delta, client);
      expect(client).toEqual(truth);
      fullBytes += encoder.encode(truth).length;
      deltaBytes += delta.length;
    }
    expect(deltaBytes).toBeLessThan(fullBytes * 0.8);
  });

  it('sends nothing for unchanged entities', () => {
    const base = state(1, [entity(1), entity(2)]);
    const same = state(2, [entity(1), entity(2)]);
    const headerOnly = encoder.encode(state(2, []), state(1, [])).length;
    expect(encoder.encode(same, base).length).toBe(headerOnly);
  });

  it('refuses a delta without its baseline, and malformed bytes', () => {
    const base = state(1, [entity(1)]);
    const bytes = encoder.encode(state(2, [entity(1, { x: 5 })]), base);
    expect(() => decodeSnapshot(bytes)).toThrow(SnapshotFormatError);
    expect(() => decodeSnapshot(bytes, state(9, []))).toThrow(/needs baseline tick 1, got 9/);
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 1), base)).toThrow(/ends early/);
    expect(() => decodeSnapshot(new Uint8Array([...bytes, 0]), base)).toThrow(/trailing bytes/);
  });
});

describe('the binary snapshot envelope', () => {
  it('decodes as the protocol message, for any ack up to 2^53 and any delta size', async () => {
    const { decodeServerFrame, snapshotEnvelope, withAck } = await import('../src/protocol/index.js');
    for (const [ack, base, size] of [[0, null, 3], [57, 41, 300], [1_795_535_859_217, 7, 70_000]] as const) {
      const delta = Uint8Array.from({ length: size }, (_, i) => i % 251);
      const envelope = snapshotEnvelope('room_abcdef123456', 120, base, delta);
      const message = decodeServerFrame(new Uint8Array(withAck(envelope, ack)), true);
      expect(message).toEqual({ type: 'game_snapshot', room_id: 'room_abcdef123456', tick: 120, base, delta: expect.anything(), ack });
      expect(new Uint8Array((message as { delta: Uint8Array }).delta)).toEqual(delta);
    }
  });
});
