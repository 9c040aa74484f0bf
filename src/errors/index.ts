/**
 * What kind of failure an error is. The edges translate it, each in one place: the HTTP status in
 * src/gateway/errors.ts, the WebSocket error code in src/gateway/ws/errors.ts (which keeps codes the
 * protocol already has); between processes src/cluster/link.ts carries code and category unchanged.
 */
export type ErrorCategory =
  /** The request itself is wrong. */
  | 'invalid'
  /** No credentials, or ones that do not hold. */
  | 'unauthenticated'
  /** Authenticated, but the caller's role does not allow it. */
  | 'forbidden'
  /** What the request names does not exist. */
  | 'not_found'
  /** The request clashes with the current state: already queued, room full, not a member. */
  | 'conflict'
  /** Too many attempts; retry later. */
  | 'rate_limited'
  /** A part of the system is down or restarting; retry shortly. */
  | 'unavailable'
  /** A bug or an unexpected failure; details are logged, never shown. */
  | 'internal';

/**
 * An error a client caused or must know about: its category, a stable machine-readable code and a human
 * message. Anything else that escapes a handler is an internal error and is logged, not shown.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly category: ErrorCategory,
    readonly code: string,
    message: string,
    /** Extra HTTP response headers, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const unauthorized = (code: string, message: string) => new AppError('unauthenticated', code, message);

/**
 * The error class of a subsystem whose codes each map to one category, e.g.
 * `class LeaderboardError extends codedError('LeaderboardError', { board_not_found: 'not_found' }) {}`.
 * The code type is the table's keys, so a subsystem cannot throw a code it did not declare.
 */
export function codedError<const Codes extends Record<string, ErrorCategory>>(name: string, categories: Codes) {
  return class extends AppError {
    override name = name;
    declare readonly code: keyof Codes & string;
    constructor(code: keyof Codes & string, message: string) {
      super(categories[code]!, code, message);
    }
  };
}
