import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  AdminPlayerList,
  AdminPlayerQuery,
  AdminQueueList,
  AdminReasonRequest,
  AdminRoomList,
  AdminStats,
  AuditPage,
  AuditQuery,
  BanRequest,
  BanResult,
  EndRoomResult,
  KickResult,
} from '../../api/index.js';
import type { Actor, AdminService } from '../../admin/index.js';
import type { AuthService, Roles } from '../../auth/index.js';
import { AppError } from '../../errors/index.js';
import { bearerSecurity, requireAccessToken, requireAdmin } from '../bearer.js';
import { errorResponses } from '../schemas.js';

const tags = ['admin'];
const RoomParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const PlayerParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ok = <T>(schema: T) => ({ 200: schema, ...errorResponses });

/** A digits query parameter as a number within 1..max, `fallback` when absent. */
function bounded(name: string, value: string | undefined, fallback: number, max: number): number {
  const number = value === undefined ? fallback : Number(value);
  if (number < 1 || number > max) throw new AppError('invalid', `invalid_${name}`, `${name} must be between 1 and ${max}`);
  return number;
}

const actorOf = (request: FastifyRequest): Actor => ({ id: request.player!.playerId, name: request.player!.displayName });

/**
 * /api/admin: the operators' API behind the console. Every route needs an access token of an admin (checked
 * on the server at each request: the role is read from the database, so a revocation holds at once); every
 * change is written to the audit log.
 */
export function adminRoutes(deps: { auth: AuthService; roles: Roles; admin: AdminService }): FastifyPluginAsyncTypebox {
  const authenticated = requireAccessToken(deps.auth);
  const { admin } = deps;
  return async (app) => {
    // Registered in this plugin only: every route below is for admins.
    app.addHook('preHandler', authenticated);
    app.addHook('preHandler', async (request) => requireAdmin(deps.roles, request.player!.playerId, 'the admin API'));

    app.get('/api/admin/rooms', {
      schema: { tags, summary: 'Every room with its players, node and that node’s tick load', security: bearerSecurity, response: ok(AdminRoomList) },
    }, async () => ({ rooms: await admin.rooms() }));

    app.post('/api/admin/rooms/:id/end', {
      schema: { tags, summary: 'End a room: its players are sent out (room_left) and a match in progress is aborted', security: bearerSecurity, params: RoomParams, body: AdminReasonRequest, response: ok(EndRoomResult) },
    }, async (request) => admin.endRoom(actorOf(request), request.params.id, request.body.reason));

    app.get('/api/admin/queues', {
      schema: { tags, summary: 'Matchmaking queues by game mode and region: size and oldest wait', security: bearerSecurity, response: ok(AdminQueueList) },
    }, async () => ({ queues: await admin.queues() }));

    app.get('/api/admin/players', {
      schema: { tags, summary: 'Find players by part of a name or email, or by id', security: bearerSecurity, querystring: AdminPlayerQuery, response: ok(AdminPlayerList) },
    }, async (request) => ({ players: await admin.searchPlayers(request.query.q ?? '', bounded('limit', request.query.limit, 20, 100)) }));

    app.post('/api/admin/players/:id/kick', {
      schema: { tags, summary: 'Disconnect the player wherever they are (they may come back)', security: bearerSecurity, params: PlayerParams, body: AdminReasonRequest, response: ok(KickResult) },
    }, async (request) => admin.kick(actorOf(request), request.params.id, request.body.reason));

    app.post('/api/admin/players/:id/ban', {
      schema: {
        tags,
        summary: 'Ban the player until a time (or for good): their sessions end at once on every node and login is refused',
        security: bearerSecurity,
        params: PlayerParams,
        body: BanRequest,
        response: ok(BanResult),
      },
    }, async (request) => {
      const { reason, until } = request.body;
      const ban = await admin.ban(actorOf(request), request.params.id, reason, until === null ? null : new Date(until));
      return { player_id: request.params.id, ban };
    });

    app.delete('/api/admin/players/:id/ban', {
      schema: { tags, summary: 'Lift the player’s ban', security: bearerSecurity, params: PlayerParams, response: ok(BanResult) },
    }, async (request) => {
      await admin.unban(actorOf(request), request.params.id);
      return { player_id: request.params.id, ban: null };
    });

    app.get('/api/admin/audit', {
      schema: { tags, summary: 'The audit log of operator actions, newest first', security: bearerSecurity, querystring: AuditQuery, response: ok(AuditPage) },
    }, async (request) => {
      const { limit, before } = request.query;
      return admin.audit({ limit: bounded('limit', limit, 50, 200), before: before === undefined ? undefined : bounded('before', before, 1, Number.MAX_SAFE_INTEGER) });
    });

    app.get('/api/admin/stats', {
      schema: { tags, summary: 'This node’s connections, rooms, tick p99 and queue wait p99 right now', security: bearerSecurity, response: ok(AdminStats) },
    }, async () => admin.stats());
  };
}
