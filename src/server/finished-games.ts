/** What a finished game feeds once it is recorded: the ratings, and what is made of them. */
import type { Logger } from 'pino';
import type { LeagueUpdate } from '../api/index.js';
import type { Leaderboard } from '../leaderboard/index.js';
import type { RatingBoards } from '../leaderboards/index.js';
import type { LeagueNotice, Leagues, Rung } from '../leagues/index.js';
import type { RateGame } from '../rooms/index.js';

export interface FinishedGameFeeds {
  leaderboard: Leaderboard;
  ratingBoards: RatingBoards;
  leagues: Leagues;
  /** Tells players their league standing moved; delivery is best-effort (the standing is readable over HTTP). */
  notify(notices: LeagueNotice[]): Promise<void>;
  logger: Logger;
}

/**
 * Rates the game, then writes the rating boards and the league standings, all in the transaction that records
 * the game (so a retried delivery does none of it twice). The ranks are indexed and the players told after the
 * commit; an index write that fails there is repaired by the leaderboard sweep.
 */
export function rateFinishedGame({ leaderboard, ratingBoards, leagues, notify, logger }: FinishedGameFeeds): RateGame {
  return async (tx, gameId, results) => {
    const rated = await leaderboard.rateGameIn(tx, gameId, results);
    if (!rated || rated.players.length === 0) return undefined;
    const indexRanks = await ratingBoards.recordIn(tx, rated);
    const notices = await leagues.recordGameIn(tx, rated);
    return async () => {
      await indexRanks().catch((error: unknown) => logger.warn({ err: error, game: gameId }, 'indexing rating boards failed; the sweep rebuilds them'));
      await notify(notices);
    };
  };
}

const rungJson = (rung: Rung) => ({ tier: rung.tier, division: rung.division ?? null });

/** A league notice as the `league_update` WebSocket message carries it. */
export function leagueUpdate(gameMode: string, notice: LeagueNotice): LeagueUpdate {
  return {
    game_mode: gameMode,
    season_id: notice.seasonId,
    kind: notice.kind,
    reason: notice.reason,
    ...(notice.from ? { from: rungJson(notice.from) } : {}),
    to: rungJson(notice.to),
    points: notice.points,
    ...(notice.nextSeason
      ? { next_season: { season_id: notice.nextSeason.seasonId, rung: rungJson(notice.nextSeason.rung), points: notice.nextSeason.points } }
      : {}),
  };
}
