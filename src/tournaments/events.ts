import type { TournamentSettings } from '../api/tournaments.js';

/**
 * What happened to a tournament, one entry per accepted command (or per thing the system did: a room opened, a
 * game played, a no-show). The state is a left fold of these over `apply`; nothing else changes it, so the log
 * replayed from its first entry rebuilds the tournament exactly.
 */
export type TournamentEventData =
  | { type: 'created'; settings: TournamentSettings; owner: string }
  | { type: 'registered'; player_id: string; name: string }
  | { type: 'unregistered'; player_id: string }
  | { type: 'checked_in'; player_id: string }
  /** Entrants who did not check in are dropped; checked-in waitlisted players move up in order. */
  | { type: 'check_ins_processed' }
  /** `seeds`: the field in seed order (1 first); `seed`: the tie-break shuffle of Swiss pairing. */
  | { type: 'started'; seeds: string[]; seed: number }
  | { type: 'room_opened'; match_id: string; room_id: string; node: string; deadline: number }
  /** The join deadline passed: `absent` players (of `room_id`) forfeit; none absent means the series is on. */
  | { type: 'attendance'; match_id: string; room_id: string; absent: string[] }
  /** One game of a series ended in its room; `winner_id` null is a drawn game. */
  | { type: 'game_reported'; match_id: string; room_id: string; game_id: string; winner_id: string | null }
  /** An organizer set the series result. */
  | { type: 'reported'; match_id: string; winner_id: string | null; score: [number, number]; forfeited: string[] }
  /** A finished match is open again (`replay`: played again in a room, else waiting for a report); `reset` were cleared with it. */
  | { type: 'reopened'; match_id: string; reset: string[]; replay: boolean }
  | { type: 'withdrew'; player_id: string };

export type TournamentEventType = TournamentEventData['type'];

export interface TournamentEventRecord {
  /** 1-based position in the tournament's log. */
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** The player who issued the command, or `system`. */
  actor: string;
  event: TournamentEventData;
}

export const SYSTEM_ACTOR = 'system';
