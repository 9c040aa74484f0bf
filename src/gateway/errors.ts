import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CacheUnavailableError } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import { RoomError } from '../rooms/index.js';
import { DatabaseUnavailableError } from '../store/index.js';

/** Fastify's own client errors, renamed to stable snake_case codes. */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
};

const ROOM_STATUS: Record<RoomError['code'], number> = {
  room_not_found: 404,
  room_full: 409,
  not_in_room: 409,
  already_in_room: 409,
  peer_not_found: 404,
  unsupported_game_mode: 400,
  invalid_room: 400,
};

function send(reply: FastifyReply, statusCode: number, code: string, message: string) {
  return reply.code(statusCode).send({ statusCode, code, message });
}

/** Turns every failure into `{statusCode, code, message}`; only unexpected errors are logged as errors. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return send(reply.headers(error.headers), error.statusCode, error.code, error.message);
  }
  if (error instanceof RoomError) {
    return send(reply, ROOM_STATUS[error.code], error.code, error.message);
  }
  if (error.validation) {
    return send(reply, 400, 'validation_error', error.message);
  }
  if (error instanceof DatabaseUnavailableError || error instanceof CacheUnavailableError) {
    request.log.error({ err: error }, 'backend unavailable');
    return send(reply, 503, 'service_unavailable', 'a backend service is unavailable; try again shortly');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = FRAMEWORK_CODES[error.code] ?? (error.code ?? 'bad_request').toLowerCase();
    return send(reply, status, code, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 500, 'internal_error', 'internal server error');
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return send(reply, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
}
