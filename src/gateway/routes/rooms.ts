import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuthService } from '../../auth/index.js';
import { GAME_MODES, type RoomDirectory } from '../../rooms/index.js';
import { bearerSecurity, requireAccessToken } from '../bearer.js';
import { errorResponses } from '../schemas.js';

const RoomPlayer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  entity_id: Type.Integer(),
  connected: Type.Boolean(),
});

const Room = Type.Object({
  room_id: Type.String(),
  room_name: Type.String(),
  game_mode: Type.String(),
  host_id: Type.String(),
  max_players: Type.Integer(),
  player_count: Type.Integer(),
  status: Type.Union([Type.Literal('waiting'), Type.Literal('playing'), Type.Literal('finished')]),
  created_at: Type.String({ format: 'date-time' }),
});

const RoomParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The seed's room paths: create, join (reserves a seat for the WebSocket join), leave, list. */
export function roomRoutes(deps: { auth: AuthService; rooms: RoomDirectory; maxPlayersPerRoom: number }): FastifyPluginAsyncTypebox {
  const { rooms } = deps;
  return async (app) => {
    const tags = ['rooms'];
    app.addHook('preHandler', requireAccessToken(deps.auth));

    app.post('/api/rooms/create', {
      schema: {
        tags,
        summary: 'Create a room hosted by the caller',
        security: bearerSecurity,
        body: Type.Object(
          {
            room_name: Type.String({ minLength: 1, maxLength: 64 }),
            game_mode: Type.Optional(Type.String({ enum: [...GAME_MODES] })),
            max_players: Type.Optional(Type.Integer({ minimum: 1, maximum: deps.maxPlayersPerRoom })),
            region: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            host_id: Type.Optional(Type.String({ maxLength: 64, description: 'Ignored: the caller hosts the room' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Room, ...errorResponses },
      },
    }, async (request, reply) => {
      const room = await rooms.create({
        name: request.body.room_name,
        gameMode: request.body.game_mode ?? 'deathmatch',
        maxPlayers: request.body.max_players ?? Math.min(8, deps.maxPlayersPerRoom),
        hostId: request.player!.playerId,
        region: request.body.region,
      });
      return reply.code(201).send(room);
    });

    app.post('/api/rooms/:id/join', {
      // The seed sends {player_id, player_name}; the seat is always the caller's.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Reserve a seat; then send join_room over /ws',
        security: bearerSecurity,
        params: RoomParams,
        body: Type.Object({ player_id: Type.Optional(Type.String({ maxLength: 64 })), player_name: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: { 200: Room, ...errorResponses },
      },
    }, async (request) => {
      return rooms.reserve(request.params.id, request.player!.playerId);
    });

    app.post('/api/rooms/:id/leave', {
      schema: {
        tags,
        summary: 'Give up a seat or a reservation',
        security: bearerSecurity,
        params: RoomParams,
        response: { 200: Type.Object({ room_id: Type.String(), left: Type.Boolean() }), ...errorResponses },
      },
    }, async (request) => {
      await rooms.leave(request.params.id, request.player!.playerId);
      return { room_id: request.params.id, left: true };
    });

    app.get('/api/rooms/list', {
      schema: {
        tags,
        summary: 'Rooms on this node (every process of it)',
        security: bearerSecurity,
        querystring: Type.Object({
          game_mode: Type.Optional(Type.String({ maxLength: 32 })),
          // Query strings are not type-coerced (bodies must not be), so the flag is spelled out.
          joinable: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'Only rooms with a free seat' })),
        }),
        response: { 200: Type.Object({ rooms: Type.Array(Room) }), ...errorResponses },
      },
    }, async (request) => ({ rooms: await rooms.list({ gameMode: request.query.game_mode, joinable: request.query.joinable === 'true' }) }));

    app.get('/api/rooms/:id', {
      schema: {
        tags,
        summary: 'One room with its players',
        security: bearerSecurity,
        params: RoomParams,
        response: { 200: Type.Intersect([Room, Type.Object({ players: Type.Array(RoomPlayer) })]), ...errorResponses },
      },
    }, async (request) => rooms.describe(request.params.id));
  };
}
