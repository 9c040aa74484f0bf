import type { AppError, ErrorCategory } from '../../errors/index.js';
import type { ErrorCode } from '../../protocol/index.js';

/** The protocol's own error codes: an error that already carries one (room_full, …) is sent with it. */
const PROTOCOL_CODES: Record<ErrorCode, true> = {
  bad_message: true,
  unknown_type: true,
  not_authenticated: true,
  already_authenticated: true,
  auth_failed: true,
  room_not_found: true,
  room_full: true,
  not_in_room: true,
  already_in_room: true,
  peer_not_found: true,
  rate_limited: true,
  kicked: true,
  banned: true,
  server_error: true,
};

/**
 * Any other code becomes the protocol's code for its category. The protocol has no codes of its own for a
 * missing or conflicting thing, so those, like any bad request, are a bad_message whose text says why.
 */
const CATEGORY_CODES: Record<ErrorCategory, ErrorCode> = {
  invalid: 'bad_message',
  unauthenticated: 'auth_failed',
  forbidden: 'bad_message',
  not_found: 'bad_message',
  conflict: 'bad_message',
  rate_limited: 'rate_limited',
  unavailable: 'server_error',
  internal: 'server_error',
};

const isProtocolCode = (code: string): code is ErrorCode => Object.hasOwn(PROTOCOL_CODES, code);

/** The code of the protocol's `error` message that reports `error` (an AppError or a ProtocolError) to a client. */
export function protocolErrorCode(error: Pick<AppError, 'category' | 'code'>): ErrorCode {
  return isProtocolCode(error.code) ? error.code : CATEGORY_CODES[error.category];
}
