import Fastify, { type InjectOptions } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CacheUnavailableError } from '../src/cache/index.js';
import { WorkerLink, type IpcChannel } from '../src/cluster/link.js';
import { AppError, unauthorized } from '../src/errors/index.js';
import { handleError, handleNotFound } from '../src/gateway/errors.js';
import { protocolErrorCode } from '../src/gateway/ws/errors.js';
import { ProtocolError } from '../src/protocol/index.js';
import { RoomError } from '../src/rooms/index.js';
import { DatabaseUnavailableError } from '../src/store/index.js';

/** Every error code the server raises on purpose, with the HTTP status and WebSocket code it must map to. */
const CASES: [AppError, number, string][] = [
  [new RoomError('room_not_found', 'room r1 does not exist'), 404, 'room_not_found'],
  [new RoomError('peer_not_found', 'player p2 is not in room r1'), 404, 'peer_not_found'],
  [new RoomError('room_full', 'room r1 is full'), 409, 'room_full'],
  [new RoomError('not_in_room', 'you are not in room r1'), 409, 'not_in_room'],
  [new RoomError('already_in_room', 'leave room r1 first'), 409, 'already_in_room'],
  [new RoomError('unsupported_game_mode', 'game_mode must be one of: deathmatch'), 400, 'bad_message'],
  [new RoomError('invalid_room', 'max_players must be an integer from 1 to 16'), 400, 'bad_message'],
  [new AppError('invalid', 'unsupported_game_mode', 'game_mode must be one of: deathmatch'), 400, 'bad_message'],
  ...['missing_token', 'invalid_token', 'token_expired', 'invalid_credentials', 'refresh_token_reused', 'unknown_session', 'session_revoked', 'session_expired'].map(
    (code): [AppError, number, string] => [unauthorized(code, `${code} happened`), 401, 'auth_failed'],
  ),
  [new AppError('not_found', 'player_not_found', 'player no longer exists'), 404, 'bad_message'],
  [new AppError('not_found', 'not_queued', 'you are not in the matchmaking queue'), 404, 'bad_message'],
  [new AppError('conflict', 'email_taken', 'an account with this email already exists'), 409, 'bad_message'],
  [new AppError('conflict', 'already_queued', 'you are already in the matchmaking queue'), 409, 'bad_message'],
  [new AppError('rate_limited', 'rate_limited', 'too many login attempts', { 'retry-after': '7' }), 429, 'rate_limited'],
  [new AppError('unavailable', 'worker_unavailable', 'process 2 is restarting'), 503, 'server_error'],
  [new AppError('internal', 'internal_error', 'internal error in a sibling process'), 500, 'server_error'],
];

const label = ([error]: [AppError, ...unknown[]]) => `${error.constructor.name} ${error.code}`;

/** A Fastify app with the gateway's error handlers: /fail/N throws errors[N], /validated wants a body. */
async function appThrowing(errors: readonly unknown[]) {
  const app = Fastify({ logger: false });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.get<{ Params: { index: string } }>('/fail/:index', async (request) => {
    throw errors[Number(request.params.index)];
  });
  app.post('/validated', { schema: { body: { type: 'object', required: ['name'] } } }, async () => ({}));
  await app.ready();
  return app;
}

/** Two worker links whose IPC goes through structuredClone, as a message through the primary would. */
function linkedPair(): [WorkerLink, WorkerLink] {
  const listeners = new Map<number, (message: unknown, handle: undefined) => void>();
  const channel = (index: number): IpcChannel => ({
    send(message) {
      if ('to' in message) {
        const copy = structuredClone(message);
        setImmediate(() => listeners.get(copy.to)?.(copy, undefined));
      }
      return true;
    },
    on: (_event, listener) => listeners.set(index, listener),
    off: () => listeners.delete(index),
  });
  const logger = pino({ level: 'silent' });
  return [new WorkerLink(1, 2, channel(1), logger), new WorkerLink(2, 2, channel(2), logger)];
}

describe('HTTP errors', () => {
  it('answer every code with its status, the code as is, the message and any headers', async () => {
    const app = await appThrowing(CASES.map(([error]) => error));
    for (const [index, [error, status]] of CASES.entries()) {
      const res = await app.inject({ method: 'GET', url: `/fail/${index}` });
      expect(res.statusCode, label(CASES[index]!)).toBe(status);
      expect(res.json()).toEqual({ statusCode: status, code: error.code, message: error.message });
      for (const [name, value] of Object.entries(error.headers)) expect(res.headers[name]).toBe(value);
    }
    await app.close();
  });

  it('map what is not an AppError: validation, framework refusals, backends down, bugs, unknown routes', async () => {
    const app = await appThrowing([new Error('a bug'), new DatabaseUnavailableError('db down'), new CacheUnavailableError('cache down')]);
    const answer = async (options: InjectOptions) => {
      const res = await app.inject(options);
      return { status: res.statusCode, ...(res.json() as { code: string; message: string }) };
    };
    expect(await answer({ method: 'GET', url: '/fail/0' })).toEqual({ status: 500, statusCode: 500, code: 'internal_error', message: 'internal server error' });
    expect(await answer({ method: 'GET', url: '/fail/1' })).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(await answer({ method: 'GET', url: '/fail/2' })).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(await answer({ method: 'POST', url: '/validated', payload: {} })).toMatchObject({ status: 400, code: 'validation_error' });
    expect(await answer({ method: 'POST', url: '/validated', payload: '{"name":', headers: { 'content-type': 'application/json' } })).toMatchObject({
      status: 400,
      code: 'invalid_json',
    });
    expect(await answer({ method: 'GET', url: '/nowhere?x=1' })).toEqual({ status: 404, statusCode: 404, code: 'not_found', message: 'no route GET /nowhere' });
    await app.close();
  });
});

describe('WebSocket errors', () => {
  it.each(CASES.map((c) => [label(c), c[2], c[0]] as const))('%s is sent as %s', (_name, code, error) => {
    expect(protocolErrorCode(error)).toBe(code);
  });

  it('sends an unreadable or invalid frame with its own code', () => {
    expect(protocolErrorCode(new ProtocolError('bad_message', 'frame is not valid JSON'))).toBe('bad_message');
    expect(protocolErrorCode(new ProtocolError('unknown_type', 'unknown message type "x"', 'x'))).toBe('unknown_type');
  });
});

describe('errors between processes', () => {
  it('come back as AppErrors with the same category, code and message', async () => {
    const [caller, host] = linkedPair();
    host.serve('fail', async (index: number) => {
      throw CASES[index]![0];
    });
    for (const [index, [error]] of CASES.entries()) {
      const rejected = await caller.call(2, 'fail', index).then(
        () => expect.fail('the call should fail'),
        (reason: unknown) => reason,
      );
      expect(rejected, label(CASES[index]!)).toBeInstanceOf(AppError);
      expect(rejected).toMatchObject({ category: error.category, code: error.code, message: error.message });
    }
    caller.close();
    host.close();
  });

  it('turn anything else, and an unknown call, into an internal error without details', async () => {
    const [caller, host] = linkedPair();
    host.serve('bug', async () => {
      throw new TypeError('secret detail');
    });
    await expect(caller.call(2, 'bug', {})).rejects.toMatchObject({
      category: 'internal',
      code: 'internal_error',
      message: 'internal error in a sibling process',
    });
    await expect(caller.call(2, 'missing', {})).rejects.toMatchObject({ category: 'internal', code: 'internal_error', message: 'unknown call missing' });
    caller.close();
    host.close();
  });
});
