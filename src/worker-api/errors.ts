import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { AppError, type ErrorCategory } from '../errors/index.js';

/** Trailing metadata key carrying GameV1's stable error code (room_not_found, room_full, draining, …). */
const CODE_KEY = 'gamev1-code';

/** The one place an error category becomes a gRPC status; the client reads it back the same way. */
const STATUS_OF: Record<ErrorCategory, status> = {
  invalid: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  conflict: status.FAILED_PRECONDITION,
  rate_limited: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};
const CATEGORY_OF = new Map(Object.entries(STATUS_OF).map(([category, code]) => [code, category as ErrorCategory]));
/** Statuses only the channel reports (no answer in time, the call was cut off): worth a retry, like UNAVAILABLE. */
const TRANSIENT = new Set([status.DEADLINE_EXCEEDED, status.CANCELLED, status.ABORTED]);

/** How a call that failed with `error` ends: an AppError keeps its category and code; anything else is internal. */
export function statusFor(error: unknown): StatusObject {
  const failure = error instanceof AppError ? error : new AppError('internal', 'internal_error', 'internal error');
  const metadata = new Metadata();
  metadata.set(CODE_KEY, failure.code);
  return { code: STATUS_OF[failure.category], details: failure.message, metadata };
}

/** A failed Worker API call: an AppError of the server's category and code, plus the gRPC status it came as. */
export class WorkerCallError extends AppError {
  override name = 'WorkerCallError';
  constructor(
    readonly grpcStatus: status,
    category: ErrorCategory,
    code: string,
    message: string,
  ) {
    super(category, code, message);
  }
}

/** Rebuilds the server's error; a status without a GameV1 code (the channel's own) gets `grpc_<status>`. */
export function fromServiceError(error: ServiceError): WorkerCallError {
  const [code] = error.metadata?.get(CODE_KEY) ?? [];
  const category = CATEGORY_OF.get(error.code) ?? (TRANSIENT.has(error.code) ? 'unavailable' : 'internal');
  return new WorkerCallError(
    error.code,
    category,
    typeof code === 'string' ? code : `grpc_${status[error.code]?.toLowerCase() ?? error.code}`,
    error.details || error.message,
  );
}
