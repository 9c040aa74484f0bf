import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RoomDetails, RoomInfo, RoomList } from '../../api/index.js';
import type { AuthService } from '../../auth/index.js';
import type { GameModes } from '../../games/index.js';
import type { RoomRegistry } from '../../rooms/index.js';
import { bearerSecurity, requireAccessToken } from '../bearer.js';
import { errorResponses } from '../schemas.js';

/** Seats of a room created without max_players (at most what the mode and node allow). */
const DEFAULT_MAX_PLAYERS = 8;

const RoomParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The seed's room paths: create, join (reserves a seat for the WebSocket join), leave, list. */
export function roomRoutes(deps: {
  auth: AuthService;
  rooms: RoomRegistry;
  modes: GameModes;
  seatLimit: (gameMode: string) => number;
}): FastifyPluginAsyncTypebox {
  const { rooms, modes, seatLimit } = deps;
  // The schema bounds max_players by the roomiest mode; creating a room checks its own mode's bound.
  const mostSeats = Math.max(...modes.names.map(seatLimit));
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
            game_mode: Type.Optional(Type.String({ enum: modes.names, description: `Default: ${modes.default.name}` })),
            max_players: Type.Optional(Type.Integer({ minimum: 1, maximum: mostSeats })),
            region: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            host_id: Type.Optional(Type.String({ maxLength: 64, description: 'Ignored: the caller hosts the room' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: RoomInfo, ...errorResponses },
      },
    }, async (request, reply) => {
      const gameMode = request.body.game_mode ?? modes.default.name;
      const room = await rooms.create({
        name: request.body.room_name,
        gameMode,
        maxPlayers: request.body.max_players ?? Math.min(DEFAULT_MAX_PLAYERS, seatLimit(gameMode)),
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
        response: { 200: RoomInfo, ...errorResponses },
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
        response: { 200: RoomList, ...errorResponses },
      },
    }, async (request) => ({ rooms: await rooms.list({ gameMode: request.query.game_mode, joinable: request.query.joinable === 'true' }) }));

    app.get('/api/rooms/:id', {
      schema: {
        tags,
        summary: 'One room with its players',
        security: bearerSecurity,
        params: RoomParams,
        response: { 200: RoomDetails, ...errorResponses },
      },
    }, async (request) => rooms.describe(request.params.id));
  };
}
