/** Frame encoding shared by the server and the SDK (browser-safe: no schema compiler here). */
import { Packr } from 'msgpackr';
import type { ClientMessage, ServerMessage } from './messages.js';

/** WebSocket subprotocol that switches a connection to MessagePack binary frames. */
export const BINARY_SUBPROTOCOL = 'gamev1.msgpack';
/** Subprotocol of the JSON text encoding; also what a client gets when it asks for nothing. */
export const JSON_SUBPROTOCOL = 'gamev1.json';

export type Encoding = 'json' | 'msgpack';

const packr = new Packr({ useRecords: false, variableMapSize: true });

/**
 * A frame that is not readable or not a valid message. It is an error of the server's 'invalid' category
 * (src/errors), but not an AppError: this module is shared with the browser SDK and imports no server code.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly category = 'invalid';
  constructor(
    readonly code: 'bad_message' | 'unknown_type',
    message: string,
    readonly ref?: string,
  ) {
    super(message);
  }
}

export function encodeMessage(message: ServerMessage | ClientMessage, encoding: Encoding): string | Uint8Array {
  return encoding === 'msgpack' ? packr.pack(message) : JSON.stringify(message);
}

/** For sending one message to many connections: encodes it lazily, at most once per encoding. */
export function sharedFrames(message: ServerMessage): (encoding: Encoding) => string | Uint8Array {
  const frames: Partial<Record<Encoding, string | Uint8Array>> = {};
  return (encoding) => (frames[encoding] ??= encodeMessage(message, encoding));
}

/** Parses one frame: text frames are JSON, binary frames MessagePack (either is accepted on any connection). */
export function decodeFrame(data: Uint8Array | string, isBinary: boolean): unknown {
  try {
    if (isBinary && typeof data !== 'string') return packr.unpack(data);
    return JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    throw new ProtocolError('bad_message', isBinary ? 'frame is not valid MessagePack' : 'frame is not valid JSON');
  }
}

/** Decodes a server frame (for the SDK and tests). */
export function decodeServerFrame(data: Uint8Array | string, isBinary: boolean): ServerMessage {
  return decodeFrame(data, isBinary) as ServerMessage;
}
