import { ENTITY_FIELDS, type EntityState, type MatchPhase, type SnapshotState } from '../sim/types.js';
import { PACKED_FIELDS, PackedSnapshot } from './packed-snapshot.js';

/**
 * Binary delta snapshots. A snapshot is encoded against a baseline the client has acknowledged: only
 * entities that changed are written, and for each only the fields that changed, as zig-zag varint
 * differences. Without a baseline every field is a difference from zero, so a full snapshot is just a delta
 * against nothing. All values are integers, so decoding reproduces the state exactly.
 *
 * Layout: flags(u8: bit0 has-baseline) · tick · [baseline tick] · phase · ticksLeft · removedCount ·
 * removed ids (ascending, each as the gap from the previous) · changedCount · per entity: id · field mask ·
 * one zig-zag varint per set bit. Everything after flags is an unsigned varint.
 */

const HAS_BASELINE = 1;
const FIELD_COUNT = ENTITY_FIELDS.length;

export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

/** A reusable growable byte writer: one serves a whole room, so encoding allocates nothing once it has grown. */
class Writer {
  private buffer = new Uint8Array(1024);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  byte(value: number): void {
    if (this.length === this.buffer.length) this.grow(this.length + 1);
    this.buffer[this.length++] = value;
  }

  /** Unsigned varint for any safe integer: bit operations below 2^31, arithmetic above (bit operations cut to 32 bits). */
  uint(value: number): void {
    while (value >= 0x80) {
      if (value < 0x80000000) {
        this.byte((value & 0x7f) | 0x80);
        value >>>= 7;
      } else {
        this.byte((value % 0x80) | 0x80);
        value = Math.floor(value / 0x80);
      }
    }
    this.byte(value);
  }

  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  append(other: Writer): void {
    if (this.buffer.length < this.length + other.length) this.grow(this.length + other.length);
    other.copyTo(this.buffer, this.length);
    this.length += other.length;
  }

  /** Byte by byte: these are tens of bytes, where a subarray view to set() from would cost more than the loop. */
  copyTo(target: Uint8Array, offset: number): void {
    const { buffer, length } = this;
    for (let i = 0; i < length; i++) target[offset + i] = buffer[i]!;
  }

  copy(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private grow(atLeast: number): void {
    let size = this.buffer.length * 2;
    while (size < atLeast) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer);
    this.buffer = bigger;
  }
}

/** What SnapshotEncoder.encodeInto writes to: the delta's bytes, copied out where its caller wants them. */
export interface EncodedDelta {
  readonly length: number;
  copyTo(target: Uint8Array, offset: number): void;
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw new SnapshotFormatError('snapshot ends early');
    return this.bytes[this.offset++]!;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new SnapshotFormatError('varint too long');
    }
  }

  int(): number {
    const zigzag = this.uint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

/**
 * Writes entity `i` of `next` against entity `j` of `base` (-1: the entity is new, every field a difference
 * from zero). Returns false, writing nothing, when a known entity did not change.
 */
function writeEntity(writer: Writer, next: PackedSnapshot, i: number, base: PackedSnapshot | undefined, j: number): boolean {
  const values = next.values;
  const at = i * PACKED_FIELDS;
  const baseValues = base === undefined || j < 0 ? undefined : base.values;
  const baseAt = j * PACKED_FIELDS;
  let mask = 0;
  for (let k = 0; k < PACKED_FIELDS; k++) {
    if (values[at + k] !== (baseValues ? baseValues[baseAt + k]! : 0)) mask |= 1 << k;
  }
  if (mask === 0 && baseValues) return false;
  writer.uint(next.ids[i]!);
  writer.uint(mask);
  for (let k = 0; k < PACKED_FIELDS; k++) {
    if ((mask & (1 << k)) !== 0) writer.int(values[at + k]! - (baseValues ? baseValues[baseAt + k]! : 0));
  }
  return true;
}

/** Encodes snapshots of one room; holds scratch buffers, so keep one per room rather than per call. */
export class SnapshotEncoder {
  private readonly removed = new Writer();
  private readonly entities = new Writer();
  private readonly out = new Writer();
  private readonly packedNext = new PackedSnapshot();
  private readonly packedBase = new PackedSnapshot();

  /** `base` is the snapshot the client acknowledged; omit it for a full snapshot. Returns a copy. */
  encode(next: SnapshotState, base?: SnapshotState): Uint8Array {
    this.encodeInto(this.packedNext.pack(next), base && this.packedBase.pack(base));
    return this.out.copy();
  }

  /** The same bytes as encode(), left in the encoder's buffer: valid until its next call. */
  encodeInto(next: PackedSnapshot, base: PackedSnapshot | undefined): EncodedDelta {
    const { removed, entities, out } = this;
    removed.reset();
    entities.reset();
    out.reset();
    const previousCount = base ? base.count : 0;
    const previousIds = base?.ids;
    let removedCount = 0;
    let lastRemoved = 0;
    let changed = 0;
    let j = 0;
    // One pass over both id-sorted lists; the sentinel after the last entity flushes the removed tail.
    for (let i = 0; i <= next.count; i++) {
      const id = i < next.count ? next.ids[i]! : Infinity;
      while (j < previousCount && previousIds![j]! < id) {
        removed.uint(previousIds![j]! - lastRemoved);
        lastRemoved = previousIds![j++]!;
        removedCount++;
      }
      if (i === next.count) break;
      const match = j < previousCount && previousIds![j] === id ? j++ : -1;
      if (writeEntity(entities, next, i, base, match)) changed++;
    }

    out.byte(base ? HAS_BASELINE : 0);
    out.uint(next.tick);
    if (base) out.uint(base.tick);
    out.uint(next.phase);
    out.uint(next.ticksLeft);
    out.uint(removedCount);
    out.append(removed);
    out.uint(changed);
    out.append(entities);
    return out;
  }
}

/** The baseline tick a delta was encoded against, or undefined for a full snapshot. */
export function snapshotBaseline(bytes: Uint8Array): number | undefined {
  const reader = new Reader(bytes);
  if ((reader.byte() & HAS_BASELINE) === 0) return undefined;
  reader.uint();
  return reader.uint();
}

/** Rebuilds the full state from a delta and the baseline it names (none for a full snapshot). */
export function decodeSnapshot(bytes: Uint8Array, base?: SnapshotState): SnapshotState {
  const reader = new Reader(bytes);
  const flags = reader.byte();
  const tick = reader.uint();
  if (flags & HAS_BASELINE) {
    const baseTick = reader.uint();
    if (!base || base.tick !== baseTick) {
      throw new SnapshotFormatError(`delta needs baseline tick ${baseTick}, got ${base ? base.tick : 'none'}`);
    }
  } else {
    base = undefined;
  }
  const phase = reader.uint() as MatchPhase;
  const ticksLeft = reader.uint();

  const removed = new Set<number>();
  let id = 0;
  for (let n = reader.uint(); n > 0; n--) removed.add((id += reader.uint()));

  const byId = new Map<number, EntityState>();
  for (const entity of base?.entities ?? []) if (!removed.has(entity.id)) byId.set(entity.id, entity);
  for (let n = reader.uint(); n > 0; n--) {
    const entityId = reader.uint();
    const mask = reader.uint();
    const previous = byId.get(entityId);
    const entity = { id: entityId } as EntityState;
    for (let i = 0; i < FIELD_COUNT; i++) {
      const field = ENTITY_FIELDS[i]!;
      const old = previous ? previous[field] : 0;
      entity[field] = mask & (1 << i) ? old + reader.int() : old;
    }
    byId.set(entityId, entity);
  }
  if (!reader.done) throw new SnapshotFormatError('trailing bytes after snapshot');
  const entities = [...byId.values()].sort((a, b) => a.id - b.id);
  return { tick, phase, ticksLeft, entities };
}
