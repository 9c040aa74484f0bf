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
export { SnapshotEncoder, SnapshotFormatError, decodeSnapshot, snapshotBaseline } from './snapshot.js';
export { toJsonSnapshot, type EntityDirectory } from './snapshot-json.js';
export { snapshotEnvelope, withAck, type SnapshotEnvelope } from './envelope.js';
