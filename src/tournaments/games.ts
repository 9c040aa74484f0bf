import type { Logger } from 'pino';
import type { TournamentGamePayload } from '../rooms/index.js';
import { TournamentError } from './errors.js';
import { SYSTEM_ACTOR } from './events.js';
import { gameWinner } from './series.js';
import type { TournamentStore } from './store.js';

/**
 * The outbox's writer of `game.tournament` records: a game of a match's series ended in its room. Idempotent by
 * game id (the outbox delivers at least once), and a game of a room the match no longer has counts for nothing.
 */
export function tournamentGameWriter(store: TournamentStore, logger: Logger): (payload: unknown) => Promise<void> {
  return async (payload) => {
    const game = payload as TournamentGamePayload;
    try {
      await store.execute(game.tournamentId, SYSTEM_ACTOR, (t) => {
        const { series } = t.findMatch(game.matchId);
        const winner = series ? gameWinner(series.players, game.players) : null;
        return t.decideGame(game.matchId, game.roomId, game.gameId, winner);
      });
    } catch (error) {
      if (error instanceof TournamentError && (error.code === 'match_not_found' || error.code === 'tournament_not_found')) {
        logger.warn({ tournament: game.tournamentId, match: game.matchId }, 'a tournament game arrived for a match that is gone');
        return;
      }
      throw error;
    }
  };
}
