import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Leaderboard } from '../../leaderboard/index.js';
import { Digits, errorResponses } from '../schemas.js';

/** GET /api/leaderboard: rated players by skill rating (public, no token needed). */
export function leaderboardRoutes(leaderboard: Leaderboard): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/leaderboard', {
      schema: {
        tags: ['leaderboard'],
        summary: 'Players with at least one rated game, best first',
        querystring: Type.Object({
          limit: Type.Optional(Digits(3, '1-100, default 20')),
          offset: Type.Optional(Digits(7)),
          game_mode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Ratings in one game mode (default: the account rating)' })),
        }),
        response: {
          200: Type.Object({
            players: Type.Array(
              Type.Object({
                rank: Type.Integer(),
                player_id: Type.String(),
                display_name: Type.String(),
                skill_rating: Type.Number(),
                games_played: Type.Integer(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => {
      const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 20)));
      return { players: await leaderboard.top(limit, Number(request.query.offset ?? 0), request.query.game_mode) };
    });
  };
}
