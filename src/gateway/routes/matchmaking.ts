import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { AuthService } from '../../auth/index.js';
import type { MatchmakingService, QueueStatus } from '../../matchmaking/index.js';
import { bearerSecurity, requireAccessToken } from '../bearer.js';
import { errorResponses } from '../schemas.js';

const Status = Type.Object({
  status: Type.Union([
    Type.Literal('idle'),
    Type.Literal('queued'),
    Type.Literal('matched'),
    Type.Literal('timeout'),
    Type.Literal('invalid'),
    Type.Literal('cancelled'),
  ]),
  ticket_id: Type.Optional(Type.String()),
  game_mode: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  max_wait_time: Type.Optional(Type.Number()),
  waited_seconds: Type.Optional(Type.Number()),
  skill_window: Type.Optional(Type.Number({ description: 'Rating difference this ticket accepts right now' })),
  room_id: Type.Optional(Type.String({ description: 'Matched: the room to join over /ws (a seat is reserved)' })),
  node: Type.Optional(Type.String()),
  players: Type.Optional(Type.Array(Type.String())),
  matched_at: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Boolean({ description: 'Queued ahead of others (dropped from a match that was called off)' })),
});
type StatusBody = Static<typeof Status>;

/** The seed's matchmaking paths: POST/DELETE /api/matchmaking/queue and GET /api/matchmaking/status. */
export function matchmakingRoutes(deps: { auth: AuthService; matchmaking: MatchmakingService }): FastifyPluginAsyncTypebox {
  const { matchmaking } = deps;

  const describe = (status: QueueStatus | undefined): StatusBody => {
    if (!status) return { status: 'idle' };
    if (status.status !== 'queued') return status;
    const { ticket } = status;
    return {
      status: 'queued',
      ticket_id: ticket.id,
      game_mode: ticket.gameMode,
      region: ticket.region,
      max_wait_time: ticket.maxWaitSeconds,
      priority: ticket.priority,
      ...matchmaking.windowOf(ticket),
    };
  };

  return async (app) => {
    const tags = ['matchmaking'];
    app.addHook('preHandler', requireAccessToken(deps.auth));

    app.post('/api/matchmaking/queue', {
      schema: {
        tags,
        summary: 'Join the skill-based queue for a game mode and region',
        security: bearerSecurity,
        body: Type.Object(
          {
            game_mode: Type.String({ minLength: 1, maxLength: 32 }),
            region: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' }),
            max_wait_time: Type.Optional(Type.Integer({ minimum: 1, description: 'Seconds; capped at MAX_WAIT_TIME' })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Status, ...errorResponses },
      },
    }, async (request, reply) => {
      const player = await deps.auth.profile(request.player!.playerId);
      const status = await matchmaking.enqueue(
        { id: player.id, name: player.display_name, rating: player.skill_rating },
        { gameMode: request.body.game_mode, region: request.body.region, maxWaitTime: request.body.max_wait_time },
      );
      return reply.code(202).send(describe(status));
    });

    app.delete('/api/matchmaking/queue', {
      schema: { tags, summary: 'Leave the queue', security: bearerSecurity, response: { 200: Status, ...errorResponses } },
    }, async (request) => {
      const ticket = await matchmaking.cancel(request.player!.playerId);
      return { status: 'cancelled' as const, ticket_id: ticket.id, game_mode: ticket.gameMode, region: ticket.region };
    });

    app.get('/api/matchmaking/status', {
      schema: {
        tags,
        summary: 'Where the caller stands: idle, queued (with wait and skill window), matched (room), timeout',
        security: bearerSecurity,
        response: { 200: Status, ...errorResponses },
      },
    }, async (request) => describe(await matchmaking.status(request.player!.playerId)));
  };
}
