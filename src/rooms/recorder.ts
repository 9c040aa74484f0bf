import type { Database, Queryable } from '../store/index.js';
import type { GameRecorder } from './types.js';

/** Rates a finished game inside the transaction that records it. */
export type RateGame = (tx: Queryable, gameId: string) => Promise<unknown>;

/**
 * Games in the games table: a row when a match starts, results when it finishes (rated in the same
 * transaction), `aborted` otherwise.
 */
export class SqlGameRecorder implements GameRecorder {
  constructor(
    private readonly db: Database,
    private readonly rate: RateGame,
  ) {}

  async start(match: { roomId: string; gameMode: string; region: string }): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO games (room_id, status, game_mode, region, started_at)
       VALUES ($1, 'in_progress', $2, $3, now()) RETURNING id`,
      [match.roomId, match.gameMode, match.region],
    );
    return rows[0]!.id;
  }

  async finish(gameId: string, results: { reason: string; players: unknown[]; ticks: number }): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE games SET status = 'finished', finished_at = now(), results = $2 WHERE id = $1`, [
        gameId,
        JSON.stringify(results),
      ]);
      await this.rate(tx, gameId);
    });
  }

  async abort(gameId: string): Promise<void> {
    await this.db.query(`UPDATE games SET status = 'aborted', finished_at = now() WHERE id = $1 AND status = 'in_progress'`, [
      gameId,
    ]);
  }
}
