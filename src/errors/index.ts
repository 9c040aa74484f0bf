/**
 * An error a client caused or must know about: carries the HTTP status, a stable machine-readable code and a
 * human message. Anything else that escapes a handler is an internal error and is logged, not shown.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
