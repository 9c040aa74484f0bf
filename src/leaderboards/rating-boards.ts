import type { Queryable } from '../store/index.js';
import type { LeaderboardDefinition } from './definition.js';
import { BUILT_IN_PREFIX, type IndexAfterCommit, type Leaderboards } from './service.js';

/** A rated game as the rating boards read it: each player's rating in the mode after the game. */
export interface RatedGameRecord {
  gameMode: string;
  region: string;
  players: readonly { playerId: string; rating: number; gamesPlayed: number }[];
}

/** Region names that can be part of a board id; rooms of other regions feed only the global board. */
const REGION_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The built-in board of a mode's ratings: `rating.<mode>`, or `rating.<mode>.<region>` for one region. */
export function ratingBoardId(gameMode: string, region?: string): string {
  return region === undefined ? `${BUILT_IN_PREFIX}${gameMode}` : `${BUILT_IN_PREFIX}${gameMode}.${region}`;
}

const ratingBoard = (id: string): LeaderboardDefinition => ({ id, sortOrder: 'desc', operator: 'set' });

/**
 * The rating of every mode as leaderboards, globally and per region, written in the transaction that rates
 * each game. A record's score is the rating rounded to an integer and its subscore the rated games in the
 * mode, so among equal ratings the more experienced player ranks first.
 */
export class RatingBoards {
  constructor(private readonly boards: Leaderboards) {}

  /** The global board of each mode exists from the start; a region's board appears with its first game. */
  async createFor(gameModes: readonly string[]): Promise<void> {
    for (const gameMode of gameModes) await this.boards.ensureBuiltIn(ratingBoard(ratingBoardId(gameMode)));
  }

  async recordIn(tx: Queryable, game: RatedGameRecord): Promise<IndexAfterCommit> {
    const writes = game.players.map(({ playerId, rating, gamesPlayed }) => ({ playerId, attempt: { score: Math.round(rating), subscore: gamesPlayed } }));
    const ids = [ratingBoardId(game.gameMode)];
    if (REGION_PATTERN.test(game.region)) ids.push(ratingBoardId(game.gameMode, game.region));
    const indexers: IndexAfterCommit[] = [];
    for (const id of ids) indexers.push(await this.boards.writeIn(tx, ratingBoard(id), writes));
    return async () => {
      for (const index of indexers) await index();
    };
  }
}
