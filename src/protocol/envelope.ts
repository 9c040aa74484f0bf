/**
 * The MessagePack `game_snapshot` envelope, written by hand: every client of a room that shares a baseline
 * gets the same bytes except its `ack`, so the envelope is built once as a template and each client's copy
 * only has its ack patched in (a fixed-width float64, exact for every sequence below 2^53 and decoded as a plain
 * number), instead of packing a fresh object per client.
 */
import type { EncodedDelta } from './snapshot.js';

const encoder = new TextEncoder();

function str(text: string): number[] {
  const bytes = encoder.encode(text);
  if (bytes.length < 32) return [0xa0 | bytes.length, ...bytes];
  if (bytes.length < 256) return [0xd9, bytes.length, ...bytes];
  return [0xda, bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

const BASE_KEY = str('base');
const DELTA_KEY = str('delta');
const ACK_KEY = [...str('ack'), 0xcb];
const UINT32 = 0xce;
const NIL = 0xc0;

export interface SnapshotEnvelope {
  template: Buffer;
  /** Where the 8 bytes of the float64 `ack` go. */
  ackOffset: number;
}

/** `bytes` as a delta to wrap (for callers that hold it as a plain array). */
function heldDelta(bytes: Uint8Array): EncodedDelta {
  return { length: bytes.length, copyTo: (target, offset) => target.set(bytes, offset) };
}

/**
 * Builds one room's envelopes. What never changes within a room (the map header, `type`, `room_id` and the
 * `tick` key) is encoded once; each envelope then costs one pooled buffer and a few byte writes.
 */
export class SnapshotEnvelopeBuilder {
  private readonly head: Uint8Array;

  constructor(roomId: string) {
    this.head = Uint8Array.from([0x86, ...str('type'), ...str('game_snapshot'), ...str('room_id'), ...str(roomId), ...str('tick')]);
  }

  /** `{type:'game_snapshot', room_id, tick, base, delta, ack}` with a placeholder ack. */
  build(tick: number, base: number | null, delta: EncodedDelta): SnapshotEnvelope {
    const { head } = this;
    const binHeader = delta.length < 256 ? 2 : delta.length < 65536 ? 3 : 5;
    const length = head.length + 5 + BASE_KEY.length + (base === null ? 1 : 5) + DELTA_KEY.length + binHeader + delta.length + ACK_KEY.length + 8;
    const template = Buffer.allocUnsafe(length);
    template.set(head, 0);
    let at = head.length;
    template[at++] = UINT32;
    at = template.writeUInt32BE(tick >>> 0, at);
    template.set(BASE_KEY, at);
    at += BASE_KEY.length;
    if (base === null) {
      template[at++] = NIL;
    } else {
      template[at++] = UINT32;
      at = template.writeUInt32BE(base >>> 0, at);
    }
    template.set(DELTA_KEY, at);
    at += DELTA_KEY.length;
    if (binHeader === 2) {
      template[at++] = 0xc4;
      template[at++] = delta.length;
    } else if (binHeader === 3) {
      template[at++] = 0xc5;
      at = template.writeUInt16BE(delta.length, at);
    } else {
      template[at++] = 0xc6;
      at = template.writeUInt32BE(delta.length, at);
    }
    delta.copyTo(template, at);
    at += delta.length;
    template.set(ACK_KEY, at);
    return { template, ackOffset: at + ACK_KEY.length };
  }
}

/** One envelope without a builder to keep (rooms keep a SnapshotEnvelopeBuilder instead). */
export function snapshotEnvelope(roomId: string, tick: number, base: number | null, delta: Uint8Array): SnapshotEnvelope {
  return new SnapshotEnvelopeBuilder(roomId).build(tick, base, heldDelta(delta));
}

/** A client's own copy of the envelope with its ack (last applied input sequence, < 2^53) filled in. */
export function withAck(envelope: SnapshotEnvelope, ack: number): Buffer {
  const frame = Buffer.allocUnsafe(envelope.template.length);
  frame.set(envelope.template);
  frame.writeDoubleBE(ack, envelope.ackOffset);
  return frame;
}
