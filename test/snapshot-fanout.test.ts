import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  PackedSnapshot,
  SnapshotEncoder,
  SnapshotEnvelopeBuilder,
  decodeSnapshot,
  snapshotBaseline,
  snapshotEnvelope,
  withAck,
} from '../src/protocol/index.js';
import { SnapshotFanout } from '../src/rooms/snapshot-fanout.js';
import { ENTITY_FIELDS, type EntityState, type SnapshotState } from '../src/sim/index.js';

function entity(id: number, seed: number): EntityState {
  // Every field different, so a field read into the wrong slot shows.
  const fields = Object.fromEntries(ENTITY_FIELDS.map((field, k) => [field, seed * 100 + k - 50]));
  return { id, ...fields } as unknown as EntityState;
}

function state(tick: number, entities: EntityState[]): SnapshotState {
  return { tick, phase: 0, ticksLeft: 1000, entities };
}

interface DecodedEnvelope {
  type: string;
  room_id: string;
  tick: number;
  base: number | null;
  delta: Uint8Array;
  ack: number;
}

function decodeFrame(frame: Uint8Array): DecodedEnvelope {
  const decoded = unpack(frame) as DecodedEnvelope;
  return { ...decoded, delta: new Uint8Array(decoded.delta) };
}

describe('packed snapshots', () => {
  it('hold each entity field in ENTITY_FIELDS order, growing past their first capacity', () => {
    const entities = Array.from({ length: 40 }, (_, i) => entity(i + 1, i));
    const packed = new PackedSnapshot(2).pack(state(9, entities));
    expect(packed.count).toBe(40);
    expect(packed.tick).toBe(9);
    entities.forEach((one, i) => {
      expect(packed.ids[i]).toBe(one.id);
      ENTITY_FIELDS.forEach((field, k) => expect(packed.values[i * ENTITY_FIELDS.length + k]).toBe(one[field]));
    });
    // Refilled in place with fewer entities: only `count` of them are read.
    packed.pack(state(10, entities.slice(0, 3)));
    expect(packed.count).toBe(3);
  });

  it('encode the same bytes through encodeInto as through encode, for full and delta snapshots', () => {
    const encoder = new SnapshotEncoder();
    const base = state(1, [entity(1, 1), entity(2, 2), entity(5, 5)]);
    const next = state(2, [entity(2, 3), entity(3, 3), entity(5, 5), entity(9, 9)]);
    for (const baseline of [undefined, base]) {
      const copied = encoder.encode(next, baseline);
      const delta = encoder.encodeInto(new PackedSnapshot().pack(next), baseline && new PackedSnapshot().pack(baseline));
      const inPlace = new Uint8Array(delta.length);
      delta.copyTo(inPlace, 0);
      expect(inPlace).toEqual(copied);
      expect(decodeSnapshot(inPlace, baseline)).toEqual(next);
    }
  });

  it('write unsigned varints above 2^31 exactly (arithmetic past the bit-operation range)', () => {
    const encoder = new SnapshotEncoder();
    const big = state(2 ** 31 + 5, [{ ...entity(2 ** 33 + 1, 1), lastInput: 2 ** 45 + 3 }]);
    expect(decodeSnapshot(encoder.encode(big))).toEqual(big);
  });
});

describe('snapshot envelopes', () => {
  it('built by a room builder equal the one-off envelope, for small and large deltas', () => {
    const builder = new SnapshotEnvelopeBuilder('room-ß');
    for (const size of [0, 10, 255, 256, 70_000]) {
      const delta = Uint8Array.from({ length: size }, (_, i) => i % 251);
      for (const base of [null, 41]) {
        const built = builder.build(42, base, { length: delta.length, copyTo: (target, at) => target.set(delta, at) });
        const oneOff = snapshotEnvelope('room-ß', 42, base, delta);
        // Equal up to the ack placeholder, whose bytes are whatever the unfilled buffer held.
        expect(built.ackOffset).toBe(oneOff.ackOffset);
        expect(built.template.subarray(0, built.ackOffset).equals(oneOff.template.subarray(0, oneOff.ackOffset))).toBe(true);
        const { delta: decodedDelta, ...fields } = decodeFrame(withAck(built, 2 ** 40 + 7));
        expect(fields).toEqual({ type: 'game_snapshot', room_id: 'room-ß', tick: 42, base, ack: 2 ** 40 + 7 });
        expect(Buffer.from(decodedDelta).equals(delta)).toBe(true);
      }
    }
  });
});

describe('a room snapshot fan-out', () => {
  const jsonBody = (snapshot: SnapshotState) => JSON.stringify({ tick: snapshot.tick, count: snapshot.entities.length });

  it('sends each client a delta against the baseline it acknowledged, sharing one delta per baseline', () => {
    const fanout = new SnapshotFanout('r1', jsonBody);
    const states = [1, 2, 3].map((tick) => state(tick, [entity(1, tick), entity(2, 2), ...(tick === 3 ? [entity(7, 7)] : [])]));
    for (const one of states.slice(0, 2)) fanout.begin(one, true);
    fanout.begin(states[2]!, true);

    const fromTwoA = decodeFrame(fanout.binaryFrame(2, 11));
    const fromTwoB = decodeFrame(fanout.binaryFrame(2, 12));
    const fromOne = decodeFrame(fanout.binaryFrame(1, 13));
    const fresh = decodeFrame(fanout.binaryFrame(-1, 14));
    const unknown = decodeFrame(fanout.binaryFrame(99, 15));

    expect([fromTwoA.ack, fromTwoB.ack, fromOne.ack, fresh.ack, unknown.ack]).toEqual([11, 12, 13, 14, 15]);
    expect(fromTwoA.delta).toEqual(fromTwoB.delta);
    expect([fromTwoA.base, fromOne.base, fresh.base, unknown.base]).toEqual([2, 1, null, null]);
    expect(snapshotBaseline(fromOne.delta)).toBe(1);
    expect(decodeSnapshot(fromTwoA.delta, states[1])).toEqual(states[2]);
    expect(decodeSnapshot(fromOne.delta, states[0])).toEqual(states[2]);
    expect(decodeSnapshot(fresh.delta)).toEqual(states[2]);
    expect(decodeSnapshot(unknown.delta)).toEqual(states[2]);
  });

  it('keeps streamed snapshots as baselines but not welcome snapshots, and forgets the oldest past 32', () => {
    const fanout = new SnapshotFanout('r1', jsonBody);
    for (let tick = 1; tick <= 40; tick++) fanout.begin(state(tick, [entity(1, tick)]), true);
    fanout.begin(state(41, [entity(1, 41)]), false);
    fanout.begin(state(42, [entity(1, 42)]), true);
    expect(decodeFrame(fanout.binaryFrame(41, 0)).base).toBeNull();
    expect(decodeFrame(fanout.binaryFrame(40, 0)).base).toBe(40);
    // The ring holds the last 32 baselines: 42 and 40 down to 10.
    expect(decodeFrame(fanout.binaryFrame(10, 0)).base).toBe(10);
    expect(decodeFrame(fanout.binaryFrame(9, 0)).base).toBeNull();
  });

  it('answers an acknowledged welcome with a full snapshot, never a delta against the streamed one of its tick', () => {
    // Tick 5 is streamed to the room, then a player joins within the same tick: their welcome is tick 5 too, but
    // holds the joiner. The joiner acknowledges 5 meaning the welcome; a delta against the streamed 5 (without the
    // joiner) would make them add their own values twice.
    const fanout = new SnapshotFanout('r1', jsonBody);
    const streamed = state(5, [entity(1, 1), entity(2, 2)]);
    const welcome = state(5, [entity(1, 1), entity(2, 2), entity(3, 3)]);
    const next = state(6, [entity(1, 6), entity(2, 2), entity(3, 4)]);
    fanout.begin(streamed, true);
    fanout.binaryFrame(4, 0);
    fanout.begin(welcome, false);
    expect(decodeSnapshot(decodeFrame(fanout.binaryFrame(-1, 0)).delta)).toEqual(welcome);
    fanout.begin(next, true);

    const joiner = decodeFrame(fanout.binaryFrame(5, 1));
    expect(joiner.base).toBeNull();
    expect(decodeSnapshot(joiner.delta, welcome)).toEqual(next);
    // Those who acknowledged the streamed 5 get the same full snapshot once; tick 6 is a baseline again.
    expect(decodeFrame(fanout.binaryFrame(5, 2)).delta).toEqual(joiner.delta);
    fanout.begin(state(7, [entity(1, 7), entity(2, 2), entity(3, 4)]), true);
    expect(decodeFrame(fanout.binaryFrame(6, 3)).base).toBe(6);
  });

  it('gives JSON clients one shared body per round with their own ack', () => {
    let built = 0;
    const fanout = new SnapshotFanout('r"1', (snapshot) => {
      built++;
      return jsonBody(snapshot);
    });
    fanout.begin(state(5, [entity(1, 1)]), true);
    expect(JSON.parse(fanout.jsonFrame(3))).toEqual({ type: 'game_snapshot', room_id: 'r"1', tick: 5, ack: 3, snapshot: { tick: 5, count: 1 } });
    expect(JSON.parse(fanout.jsonFrame(4)).ack).toBe(4);
    expect(built).toBe(1);
    fanout.begin(state(6, []), true);
    expect(JSON.parse(fanout.jsonFrame(4)).snapshot).toEqual({ tick: 6, count: 0 });
    expect(built).toBe(2);
  });
});
