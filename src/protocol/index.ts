export * from './messages.js';
export {
  BINARY_SUBPROTOCOL,
  JSON_SUBPROTOCOL,
  ProtocolError,
  decodeFrame,
  decodeServerFrame,
  encodeMessage,
  sharedFrames,
  type Encoding,
} from './codec.js';
export { validateClientMessage } from './validate.js';
export { SnapshotEncoder, SnapshotFormatError, decodeSnapshot, snapshotBaseline, type EncodedDelta } from './snapshot.js';
export { PackedSnapshot } from './packed-snapshot.js';
export { toJsonSnapshot, type EntityDirectory } from './snapshot-json.js';
export { SnapshotEnvelopeBuilder, snapshotEnvelope, withAck, type SnapshotEnvelope } from './envelope.js';
