/**
 * SQL for leagues (migration 7): seasons, the league's players, per-season members and season results. Every
 * statement is parameterised and scoped to one league, named by its game mode.
 */
import type { Queryable } from '../store/index.js';
import { LeagueServiceError } from './errors.js';
import type { Rung } from './ladder.js';
import type { Movement, SeasonMember } from './season.js';

export type SeasonStatus = 'active' | 'ended';

export interface SeasonRow {
  id: number;
  starts_at: Date;
  ends_at: Date;
  status: SeasonStatus;
}

interface MemberRow {
  player_id: string;
  tier: string;
  division: number | null;
  points: number;
  placements_played: number;
  hidden_rating: number;
  games_played: number;
  cohort_id: string;
}

export interface NamedMember extends SeasonMember {
  displayName: string;
}

export interface ResultRecord {
  member: SeasonMember;
  seasonId: number;
  startsAt: Date;
  endsAt: Date;
  rank: number | undefined;
  movement: Movement;
  cohortSize: number;
}

/** Row locks a caller may hold on a season for the rest of its transaction. */
export type SeasonLock = 'FOR SHARE' | 'FOR UPDATE';

const SEASON_COLUMNS = 'id, starts_at, ends_at, status';
const MEMBER_FIELDS = ['player_id', 'tier', 'division', 'points', 'placements_played', 'hidden_rating', 'games_played', 'cohort_id'] as const;
const MEMBER_COLUMNS = MEMBER_FIELDS.join(', ');
const memberColumnsOf = (alias: string) => MEMBER_FIELDS.map((field) => `${alias}.${field}`).join(', ');

/** First keys of the two-key advisory locks; the second key hashes what is locked. */
const SEASON_CHANGE_LOCK = 0x6c670001;
const RUNG_SEATING_LOCK = 0x6c670002;

const memberOf = (row: MemberRow): SeasonMember => {
  const rung: Rung = { tier: row.tier, division: row.division ?? undefined };
  return {
    playerId: row.player_id,
    standing: { ...rung, points: row.points, placementsPlayed: row.placements_played, hiddenRating: row.hidden_rating },
    gamesPlayed: row.games_played,
    cohort: { id: row.cohort_id, ...rung },
  };
};

/** Serializes creating and rolling over a league's seasons, across nodes. */
export async function lockSeasonChanges(tx: Queryable, gameMode: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SEASON_CHANGE_LOCK, gameMode]);
}

/**
 * Serializes seating in the given rungs of one season, so concurrent games never overfill a cohort. Locks are
 * taken in one global order (by key), so two games seating into the same two rungs cannot deadlock.
 */
export async function lockRungs(tx: Queryable, gameMode: string, seasonId: number, rungs: readonly Rung[]): Promise<void> {
  const keys = [...new Set(rungs.map((rung) => `${gameMode}/${seasonId}/${rung.tier}/${rung.division ?? ''}`))].sort();
  for (const key of keys) await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RUNG_SEATING_LOCK, key]);
}

export async function activeSeason(db: Queryable, gameMode: string, lock?: SeasonLock): Promise<SeasonRow | undefined> {
  const { rows } = await db.query<SeasonRow>(
    `SELECT ${SEASON_COLUMNS} FROM league_seasons WHERE game_mode = $1 AND status = 'active' ${lock ?? ''}`,
    [gameMode],
  );
  return rows[0];
}

export async function seasonById(db: Queryable, gameMode: string, seasonId: number): Promise<SeasonRow | undefined> {
  const { rows } = await db.query<SeasonRow>(`SELECT ${SEASON_COLUMNS} FROM league_seasons WHERE game_mode = $1 AND id = $2`, [gameMode, seasonId]);
  return rows[0];
}

/** Newest first, with how many members each season has. */
export async function seasonsWithSizes(db: Queryable, gameMode: string): Promise<(SeasonRow & { members: number })[]> {
  const { rows } = await db.query<SeasonRow & { members: number }>(
    `SELECT ${SEASON_COLUMNS},
       (SELECT count(*)::int FROM league_members m WHERE m.game_mode = s.game_mode AND m.season_id = s.id) AS members
     FROM league_seasons s WHERE game_mode = $1 ORDER BY id DESC`,
    [gameMode],
  );
  return rows;
}

export async function insertFirstSeason(tx: Queryable, gameMode: string, startsAt: Date, lengthSeconds: number): Promise<SeasonRow> {
  const { rows } = await tx.query<SeasonRow>(
    `INSERT INTO league_seasons (game_mode, id, starts_at, ends_at, status)
     VALUES ($1, 1, $2::timestamptz, $2::timestamptz + make_interval(secs => $3), 'active')
     RETURNING ${SEASON_COLUMNS}`,
    [gameMode, startsAt.toISOString(), lengthSeconds],
  );
  return rows[0] as SeasonRow;
}

/** Ends `ended` and starts the next season where it ended. */
export async function startNextSeason(tx: Queryable, gameMode: string, ended: SeasonRow, at: Date, lengthSeconds: number): Promise<SeasonRow> {
  await tx.query(`UPDATE league_seasons SET status = 'ended', rolled_over_at = $3 WHERE game_mode = $1 AND id = $2`, [gameMode, ended.id, at.toISOString()]);
  const { rows } = await tx.query<SeasonRow>(
    `INSERT INTO league_seasons (game_mode, id, starts_at, ends_at, status)
     SELECT game_mode, id + 1, ends_at, ends_at + make_interval(secs => $3), 'active' FROM league_seasons WHERE game_mode = $1 AND id = $2
     RETURNING ${SEASON_COLUMNS}`,
    [gameMode, ended.id, lengthSeconds],
  );
  return rows[0] as SeasonRow;
}

/**
 * Enrols the players in the league (once) and locks their league rows in id order for the rest of the
 * transaction: concurrent games of one player, a first game included, run one after the other. FOR NO KEY
 * UPDATE leaves the key-share locks a rollover's inserts take free.
 */
export async function lockLeaguePlayers(tx: Queryable, gameMode: string, sortedIds: readonly string[]): Promise<void> {
  try {
    await tx.query('INSERT INTO league_players (game_mode, player_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [gameMode, sortedIds]);
  } catch (error) {
    if ((error as { code?: string }).code === '23503') throw new LeagueServiceError('player_not_found', 'a player of the game does not exist');
    throw error;
  }
  await tx.query(
    'SELECT player_id FROM league_players WHERE game_mode = $1 AND player_id = ANY($2::uuid[]) ORDER BY player_id FOR NO KEY UPDATE',
    [gameMode, sortedIds],
  );
}

export async function membersByPlayer(db: Queryable, gameMode: string, seasonId: number, ids: readonly string[]): Promise<Map<string, SeasonMember>> {
  const { rows } = await db.query<MemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM league_members WHERE game_mode = $1 AND season_id = $2 AND player_id = ANY($3::uuid[])`,
    [gameMode, seasonId, ids],
  );
  return new Map(rows.map((row) => [row.player_id, memberOf(row)]));
}

export async function seasonMembers(db: Queryable, gameMode: string, seasonId: number): Promise<SeasonMember[]> {
  const { rows } = await db.query<MemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM league_members WHERE game_mode = $1 AND season_id = $2 ORDER BY player_id`,
    [gameMode, seasonId],
  );
  return rows.map(memberOf);
}

/** A cohort's members with their display names, by player id. */
export function cohortMembers(db: Queryable, gameMode: string, seasonId: number, cohortId: string): Promise<NamedMember[]> {
  return namedMembers(db, 'm.cohort_id = $3', [gameMode, seasonId, cohortId]);
}

/** The members of the player's cohort (none when the player is not a member), read in one snapshot. */
export function cohortMembersOf(db: Queryable, gameMode: string, seasonId: number, playerId: string): Promise<NamedMember[]> {
  return namedMembers(
    db,
    'm.cohort_id = (SELECT cohort_id FROM league_members WHERE game_mode = $1 AND season_id = $2 AND player_id = $3)',
    [gameMode, seasonId, playerId],
  );
}

async function namedMembers(db: Queryable, cohortIs: string, params: [string, number, string]): Promise<NamedMember[]> {
  const { rows } = await db.query<MemberRow & { display_name: string }>(
    `SELECT ${memberColumnsOf('m')}, p.display_name FROM league_members m JOIN players p ON p.id = m.player_id
     WHERE m.game_mode = $1 AND m.season_id = $2 AND ${cohortIs} ORDER BY m.player_id`,
    params,
  );
  return rows.map((row) => ({ ...memberOf(row), displayName: row.display_name }));
}

/** The rung's non-empty cohorts and their member counts. */
export async function cohortSizes(db: Queryable, gameMode: string, seasonId: number, rung: Rung): Promise<Map<string, number>> {
  const { rows } = await db.query<{ cohort_id: string; size: number }>(
    `SELECT cohort_id, count(*)::int AS size FROM league_members
     WHERE game_mode = $1 AND season_id = $2 AND tier = $3 AND division IS NOT DISTINCT FROM $4::smallint GROUP BY cohort_id`,
    [gameMode, seasonId, rung.tier, rung.division ?? null],
  );
  return new Map(rows.map((row) => [row.cohort_id, row.size]));
}

/** Inserts or updates one member (one at a time, so the next seating in this transaction counts it). */
export async function saveMember(tx: Queryable, gameMode: string, seasonId: number, member: SeasonMember): Promise<void> {
  const { standing } = member;
  await tx.query(
    `INSERT INTO league_members (game_mode, season_id, ${MEMBER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (game_mode, season_id, player_id) DO UPDATE SET tier = EXCLUDED.tier, division = EXCLUDED.division,
       points = EXCLUDED.points, placements_played = EXCLUDED.placements_played, hidden_rating = EXCLUDED.hidden_rating,
       games_played = EXCLUDED.games_played, cohort_id = EXCLUDED.cohort_id`,
    [gameMode, seasonId, member.playerId, standing.tier, standing.division ?? null, standing.points, standing.placementsPlayed, standing.hiddenRating, member.gamesPlayed, member.cohort.id],
  );
}

/** One statement for a whole season, however many members it has. */
export async function insertMembers(tx: Queryable, gameMode: string, seasonId: number, members: readonly SeasonMember[]): Promise<void> {
  await tx.query(
    `INSERT INTO league_members (game_mode, season_id, ${MEMBER_COLUMNS})
     SELECT $1, $2, * FROM unnest($3::uuid[], $4::text[], $5::smallint[], $6::int[], $7::int[], $8::float8[], $9::int[], $10::text[])`,
    [
      gameMode,
      seasonId,
      members.map((member) => member.playerId),
      members.map((member) => member.standing.tier),
      members.map((member) => member.standing.division ?? null),
      members.map((member) => member.standing.points),
      members.map((member) => member.standing.placementsPlayed),
      members.map((member) => member.standing.hiddenRating),
      members.map((member) => member.gamesPlayed),
      members.map((member) => member.cohort.id),
    ],
  );
}

export async function insertResults(
  tx: Queryable,
  gameMode: string,
  seasonId: number,
  results: readonly { playerId: string; rank: number | undefined; movement: Movement }[],
): Promise<void> {
  await tx.query(
    `INSERT INTO league_results (game_mode, season_id, player_id, rank, movement)
     SELECT $1, $2, * FROM unnest($3::uuid[], $4::int[], $5::text[])`,
    [gameMode, seasonId, results.map((result) => result.playerId), results.map((result) => result.rank ?? null), results.map((result) => result.movement)],
  );
}

/** A player's ended seasons, newest first: the frozen member row with its season and what the end decided. */
export async function resultsOf(db: Queryable, gameMode: string, playerId: string): Promise<ResultRecord[]> {
  const { rows } = await db.query<MemberRow & { season_id: number; starts_at: Date; ends_at: Date; rank: number | null; movement: Movement; cohort_size: number }>(
    `SELECT ${memberColumnsOf('m')}, m.season_id, s.starts_at, s.ends_at, r.rank, r.movement,
       (SELECT count(*)::int FROM league_members c
        WHERE c.game_mode = m.game_mode AND c.season_id = m.season_id AND c.cohort_id = m.cohort_id) AS cohort_size
     FROM league_members m
     JOIN league_results r ON r.game_mode = m.game_mode AND r.season_id = m.season_id AND r.player_id = m.player_id
     JOIN league_seasons s ON s.game_mode = m.game_mode AND s.id = m.season_id
     WHERE m.game_mode = $1 AND m.player_id = $2 ORDER BY m.season_id DESC`,
    [gameMode, playerId],
  );
  return rows.map((row) => ({
    member: memberOf(row),
    seasonId: row.season_id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    rank: row.rank ?? undefined,
    movement: row.movement,
    cohortSize: row.cohort_size,
  }));
}
