import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CacheUnavailableError } from '../cache/index.js';
import { AppError, type ErrorCategory } from '../errors/index.js';
import { DatabaseUnavailableError } from '../store/index.js';

/** Fastify's own client errors, renamed to stable snake_case codes. */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
};

/** The one place an error's HTTP status is decided (Fastify's own refusals aside). */
const HTTP_STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

function send(reply: FastifyReply, statusCode: number, code: string, message: string) {
  return reply.code(statusCode).send({ statusCode, code, message });
}

const sendAppError = (reply: FastifyReply, error: AppError) =>
  send(reply.headers(error.headers), HTTP_STATUS[error.category], error.code, error.message);

/** Turns every failure into `{statusCode, code, message}`; only unexpected errors are logged as errors. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) return sendAppError(reply, error);
  if (error.validation) return sendAppError(reply, new AppError('invalid', 'validation_error', error.message));
  if (error instanceof DatabaseUnavailableError || error instanceof CacheUnavailableError) {
    request.log.error({ err: error }, 'backend unavailable');
    return sendAppError(reply, new AppError('unavailable', 'service_unavailable', 'a backend service is unavailable; try again shortly'));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own refusals (413, 415, …) keep the status Fastify chose.
    const code = FRAMEWORK_CODES[error.code] ?? (error.code ?? 'bad_request').toLowerCase();
    return send(reply, status, code, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendAppError(reply, new AppError('internal', 'internal_error', 'internal server error'));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return sendAppError(reply, new AppError('not_found', 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
}
