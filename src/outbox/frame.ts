import { crc32 } from 'node:zlib';

/** Before each payload: its length and its CRC-32, both u32 little-endian. */
const HEADER_BYTES = 8;

/** One entry as written: `[length][crc32][UTF-8 JSON]`. */
export function encodeFrame(entry: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(entry), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

export interface DecodedFrames<T> {
  entries: { entry: T; bytes: number }[];
  /** Bytes up to the end of the last good frame; anything after it is damage. */
  goodBytes: number;
}

/**
 * The frames of `data` in order, up to the first one that is cut short, fails its CRC or does not hold an
 * accepted entry: that is where a write was interrupted, and nothing after it can be trusted.
 */
export function decodeFrames<T>(data: Buffer, accept: (value: unknown) => value is T): DecodedFrames<T> {
  const entries: DecodedFrames<T>['entries'] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const end = offset + HEADER_BYTES + data.readUInt32LE(offset);
    if (end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== data.readUInt32LE(offset + 4)) break;
    const entry = parseJson(payload);
    if (!accept(entry)) break;
    entries.push({ entry, bytes: end - offset });
    offset = end;
  }
  return { entries, goodBytes: offset };
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
