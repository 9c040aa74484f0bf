import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MatchmakingStatus } from '../../api/index.js';
import type { AuthService } from '../../auth/index.js';
import type { Leaderboard } from '../../leaderboard/index.js';
import type { MatchmakingService, QueueStatus } from '../../matchmaking/index.js';
import { bearerSecurity, requireAccessToken } from '../bearer.js';
import { errorResponses } from '../schemas.js';

/** The seed's matchmaking paths: POST/DELETE /api/matchmaking/queue and GET /api/matchmaking/status. */
export function matchmakingRoutes(deps: { auth: AuthService; matchmaking: MatchmakingService; leaderboard: Leaderboard }): FastifyPluginAsyncTypebox {
  const { matchmaking } = deps;

  const describe = (status: QueueStatus | undefined): MatchmakingStatus => {
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
        response: { 202: MatchmakingStatus, ...errorResponses },
      },
    }, async (request, reply) => {
      const player = await deps.auth.profile(request.player!.playerId);
      // Matched on the rating of the mode asked for (team modes keep their own).
      const rating = (await deps.leaderboard.ratingOf(player.id, request.body.game_mode)) ?? player.skill_rating;
      const status = await matchmaking.enqueue(
        { id: player.id, name: player.display_name, rating },
        { gameMode: request.body.game_mode, region: request.body.region, maxWaitTime: request.body.max_wait_time },
      );
      return reply.code(202).send(describe(status));
    });

    app.delete('/api/matchmaking/queue', {
      schema: { tags, summary: 'Leave the queue', security: bearerSecurity, response: { 200: MatchmakingStatus, ...errorResponses } },
    }, async (request) => {
      const ticket = await matchmaking.cancel(request.player!.playerId);
      return { status: 'cancelled' as const, ticket_id: ticket.id, game_mode: ticket.gameMode, region: ticket.region };
    });

    app.get('/api/matchmaking/status', {
      schema: {
        tags,
        summary: 'Where the caller stands: idle, queued (with wait and skill window), matched (room), timeout',
        security: bearerSecurity,
        response: { 200: MatchmakingStatus, ...errorResponses },
      },
    }, async (request) => describe(await matchmaking.status(request.player!.playerId)));
  };
}
