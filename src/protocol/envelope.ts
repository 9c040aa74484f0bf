/**
 * The MessagePack `game_snapshot` envelope, written by hand: every client of a room that shares a baseline
 * gets the same bytes except its `ack`, so the envelope is built once as a template and each client's copy
 * only has its ack patched in (a fixed-width float64, exact for every sequence below 2^53 and decoded as a plain
 * number), instead of packing a fresh object per client.
 */

const encoder = new TextEncoder();

function str(text: string): number[] {
  const bytes = encoder.encode(text);
  if (bytes.length < 32) return [0xa0 | bytes.length, ...bytes];
  if (bytes.length < 256) return [0xd9, bytes.length, ...bytes];
  return [0xda, bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function uint32(value: number): number[] {
  return [0xce, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function binHeader(length: number): number[] {
  if (length < 256) return [0xc4, length];
  if (length < 65536) return [0xc5, length >> 8, length & 0xff];
  return [0xc6, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff];
}

export interface SnapshotEnvelope {
  template: Buffer;
  /** Where the 8 bytes of the float64 `ack` go. */
  ackOffset: number;
}

/** Builds `{type:'game_snapshot', room_id, tick, base, delta, ack}` with a placeholder ack. */
export function snapshotEnvelope(roomId: string, tick: number, base: number | null, delta: Uint8Array): SnapshotEnvelope {
  const head = [
    0x86,
    ...str('type'),
    ...str('game_snapshot'),
    ...str('room_id'),
    ...str(roomId),
    ...str('tick'),
    ...uint32(tick),
    ...str('base'),
    ...(base === null ? [0xc0] : uint32(base)),
    ...str('delta'),
    ...binHeader(delta.length),
  ];
  const tail = [...str('ack'), 0xcb];
  const template = Buffer.allocUnsafe(head.length + delta.length + tail.length + 8);
  template.set(head, 0);
  template.set(delta, head.length);
  template.set(tail, head.length + delta.length);
  return { template, ackOffset: template.length - 8 };
}

/** A client's own copy of the envelope with its ack (last applied input sequence, < 2^53) filled in. */
export function withAck(envelope: SnapshotEnvelope, ack: number): Buffer {
  const frame = Buffer.allocUnsafe(envelope.template.length);
  envelope.template.copy(frame);
  frame.writeDoubleBE(ack, envelope.ackOffset);
  return frame;
}
