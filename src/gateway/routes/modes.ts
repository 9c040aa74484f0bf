import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GameModeList } from '../../api/index.js';
import type { GameModes } from '../../games/index.js';
import { errorResponses } from '../schemas.js';

/** GET /api/game-modes: the modes of the game-mode registry, for lobbies (no login needed). */
export function gameModeRoutes(deps: { modes: GameModes; seatLimit: (gameMode: string) => number }): FastifyPluginAsyncTypebox {
  const list: GameModeList = {
    modes: deps.modes.all.map((mode) => ({
      id: mode.name,
      default: mode === deps.modes.default,
      min_players: mode.minPlayers,
      max_players: Math.min(mode.maxPlayers, deps.seatLimit(mode.name)),
      teams: mode.teams,
      team_based: mode.teams > 0,
      rating: mode.ratingKind,
    })),
  };
  return async (app) => {
    app.get('/api/game-modes', {
      schema: { tags: ['rooms'], summary: 'The game modes rooms and matchmaking accept', response: { 200: GameModeList, ...errorResponses } },
    }, async () => list);
  };
}
