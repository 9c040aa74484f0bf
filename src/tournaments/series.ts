import type { MatchReport, MatchResultEntry } from '../api/index.js';
import { TournamentError } from './errors.js';

/**
 * The winner of one game of a series from its room's results: the better rank of the two players; a player
 * missing from the results (left the room) loses to one who is there; equal ranks, or neither there, a draw.
 */
export function gameWinner(players: readonly [string, string], results: readonly Pick<MatchResultEntry, 'player_id' | 'rank'>[]): string | null {
  const [a, b] = players.map((id) => results.find((entry) => entry.player_id === id)?.rank);
  if (a === undefined && b === undefined) return null;
  if (b === undefined || (a !== undefined && a < b)) return players[0];
  if (a === undefined || b < a) return players[1];
  return null;
}

/**
 * Fills in what a report left out: a winner alone scores 1–0, a score alone names its higher side (equal: a
 * draw), a single forfeit makes the other player the winner, a double forfeit has no winner.
 */
export function completeReport(
  players: readonly [string, string],
  body: MatchReport,
): { winnerId: string | null; score: [number, number]; forfeited: string[] } {
  const forfeited = body.forfeited ?? [];
  const score = body.score as [number, number] | undefined;
  if (body.winner_id !== undefined) {
    const winnerId = body.winner_id;
    return { winnerId, score: score ?? (winnerId === null ? [0, 0] : winnerId === players[0] ? [1, 0] : [0, 1]), forfeited };
  }
  if (forfeited.length > 0) {
    const present = players.filter((id) => !forfeited.includes(id));
    return { winnerId: present.length === 1 ? present[0]! : null, score: score ?? [0, 0], forfeited };
  }
  if (score) return { winnerId: score[0] > score[1] ? players[0] : score[1] > score[0] ? players[1] : null, score, forfeited };
  throw new TournamentError('invalid_report', 'a report needs winner_id, score or forfeited');
}
