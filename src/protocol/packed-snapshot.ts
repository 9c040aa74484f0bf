import { ENTITY_FIELDS, type EntityState, type MatchPhase, type SnapshotState } from '../sim/types.js';

/** Numbers per entity in a PackedSnapshot: the ENTITY_FIELDS, in wire order. */
export const PACKED_FIELDS = ENTITY_FIELDS.length;

/**
 * A snapshot as flat numbers: entity ids, and the ENTITY_FIELDS of each entity one after another. The delta
 * encoder compares two of these by index instead of by field name (a name-keyed load per field is a
 * megamorphic lookup), and a room keeps its baselines in a ring of them, refilled in place instead of allocated.
 */
export class PackedSnapshot {
  tick = -1;
  phase: MatchPhase = 0;
  ticksLeft = 0;
  count = 0;
  ids: Float64Array;
  values: Float64Array;

  constructor(capacity = 16) {
    this.ids = new Float64Array(capacity);
    this.values = new Float64Array(capacity * PACKED_FIELDS);
  }

  /** Overwrites this with `state` (entities sorted by id, as snapshots are); returns this. */
  pack(state: SnapshotState): this {
    const { entities } = state;
    if (entities.length > this.ids.length) this.grow(entities.length);
    this.tick = state.tick;
    this.phase = state.phase;
    this.ticksLeft = state.ticksLeft;
    this.count = entities.length;
    for (let i = 0; i < entities.length; i++) {
      const entity = entities[i]!;
      this.ids[i] = entity.id;
      writeFields(entity, this.values, i * PACKED_FIELDS);
    }
    return this;
  }

  private grow(capacity: number): void {
    this.ids = new Float64Array(capacity);
    this.values = new Float64Array(capacity * PACKED_FIELDS);
  }
}

/** One named load per field (monomorphic), in ENTITY_FIELDS order; the packed-snapshot test pins that order. */
function writeFields(entity: EntityState, into: Float64Array, at: number): void {
  into[at] = entity.x;
  into[at + 1] = entity.y;
  into[at + 2] = entity.z;
  into[at + 3] = entity.vx;
  into[at + 4] = entity.vy;
  into[at + 5] = entity.vz;
  into[at + 6] = entity.yaw;
  into[at + 7] = entity.health;
  into[at + 8] = entity.score;
  into[at + 9] = entity.deaths;
  into[at + 10] = entity.alive;
  into[at + 11] = entity.lastInput;
}
