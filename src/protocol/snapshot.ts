import { ENTITY_FIELDS, type EntityState, type MatchPhase, type SnapshotState } from '../sim/types.js';

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

/** A reusable growable byte writer; encode() copies out, so one writer serves a whole room. */
class Writer {
  private buffer = new Uint8Array(1024);
  length = 0;

  reset(): void {
    this.length = 0;
  }

  byte(value: number): void {
    if (this.length === this.buffer.length) this.grow();
    this.buffer[this.length++] = value;
  }

  /** Unsigned varint for any safe integer (arithmetic, not bit operations, so values above 2^32 work). */
  uint(value: number): void {
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  append(other: Writer): void {
    while (this.buffer.length < this.length + other.length) this.grow();
    this.buffer.set(other.buffer.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  copy(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private grow(): void {
    const bigger = new Uint8Array(this.buffer.length * 2);
    bigger.set(this.buffer);
    this.buffer = bigger;
  }
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

function writeEntity(writer: Writer, next: EntityState, base: EntityState | undefined): void {
  let mask = 0;
  for (let i = 0; i < FIELD_COUNT; i++) {
    const field = ENTITY_FIELDS[i]!;
    if (next[field] !== (base ? base[field] : 0)) mask |= 1 << i;
  }
  if (mask === 0 && base) return;
  writer.uint(next.id);
  writer.uint(mask);
  for (let i = 0; i < FIELD_COUNT; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const field = ENTITY_FIELDS[i]!;
    writer.int(next[field] - (base ? base[field] : 0));
  }
}

/** Encodes snapshots of one room; holds a scratch buffer, so keep one per room rather than per call. */
export class SnapshotEncoder {
  private readonly entities = new Writer();
  private readonly out = new Writer();

  /** `base` is the snapshot the client acknowledged; omit it for a full snapshot. */
  encode(next: SnapshotState, base?: SnapshotState): Uint8Array {
    const { entities, out } = this;
    entities.reset();
    out.reset();
    const previous = base?.entities ?? [];
    let changed = 0;
    const removedIds: number[] = [];
    let j = 0;
    for (const entity of next.entities) {
      while (j < previous.length && previous[j]!.id < entity.id) removedIds.push(previous[j++]!.id);
      const match = j < previous.length && previous[j]!.id === entity.id ? previous[j++] : undefined;
      const before = entities.length;
      writeEntity(entities, entity, match);
      if (entities.length > before) changed++;
    }
    while (j < previous.length) removedIds.push(previous[j++]!.id);

    out.byte(base ? HAS_BASELINE : 0);
    out.uint(next.tick);
    if (base) out.uint(base.tick);
    out.uint(next.phase);
    out.uint(next.ticksLeft);
    out.uint(removedIds.length);
    let lastId = 0;
    for (const id of removedIds) {
      out.uint(id - lastId);
      lastId = id;
    }
    out.uint(changed);
    out.append(entities);
    return out.copy();
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
