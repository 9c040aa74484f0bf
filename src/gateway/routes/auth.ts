import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuthService, ClientInfo } from '../../auth/index.js';
import { bearerSecurity, bearerToken, requireAccessToken } from '../bearer.js';
import { AuthResult, Player } from '../../api/index.js';
import { GuestBody, LoginBody, RegisterBody, errorResponses } from '../schemas.js';
import type { FastifyRequest } from 'fastify';

const clientOf = (request: FastifyRequest): ClientInfo => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

/** The seed's auth paths: /auth/register, /auth/login, /auth/refresh, plus guest play, logout and /auth/me. */
export function authRoutes(auth: AuthService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['auth'];

    app.post('/auth/register', {
      schema: {
        tags,
        summary: 'Create an account and log in',
        body: RegisterBody,
        response: { 201: AuthResult, ...errorResponses },
      },
    }, async (request, reply) => reply.code(201).send(await auth.register(request.body, clientOf(request))));

    app.post('/auth/login', {
      schema: {
        tags,
        summary: 'Log in with email and password',
        body: LoginBody,
        response: { 200: AuthResult, ...errorResponses },
      },
    }, async (request) => auth.login(request.body, clientOf(request)));

    app.post('/auth/guest', {
      // Quick play needs no body at all; an absent one means "no preferences".
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Quick play: create a guest account and log in',
        body: GuestBody,
        response: { 201: AuthResult, ...errorResponses },
      },
    }, async (request, reply) => reply.code(201).send(await auth.guest(request.body, clientOf(request))));

    app.post('/auth/refresh', {
      schema: {
        tags,
        summary: 'Rotate tokens: send the refresh token as Authorization: Bearer <refresh_token>',
        description: 'Each refresh token works once. Reusing an already-rotated token revokes the whole session.',
        security: bearerSecurity,
        response: { 200: AuthResult, ...errorResponses },
      },
    }, async (request) => auth.refresh(bearerToken(request)));

    app.post('/auth/logout', {
      schema: {
        tags,
        summary: 'End the session of the refresh token in Authorization: Bearer <refresh_token>',
        security: bearerSecurity,
        response: { 204: Type.Null(), ...errorResponses },
      },
    }, async (request, reply) => {
      await auth.logout(bearerToken(request));
      return reply.code(204).send(null);
    });

    app.get('/auth/me', {
      preHandler: requireAccessToken(auth),
      schema: {
        tags,
        summary: 'The player the access token belongs to',
        security: bearerSecurity,
        response: { 200: Player, ...errorResponses },
      },
    }, async (request) => auth.profile(request.player!.playerId));
  };
}
