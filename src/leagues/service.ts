import type { Database, Queryable } from '../store/index.js';
import { LeagueServiceError } from './errors.js';
import { LeagueError, applyMatch, newStanding, rungIndex, visibleTier, type MatchOutcome, type Rung, type Standing } from './ladder.js';
import {
  rankCohort,
  rolloverSeason,
  seasonOutcomes,
  seatInRung,
  validateSeasonConfig,
  type Cohort,
  type Movement,
  type Season,
  type SeasonConfig,
  type SeasonMember,
  type Zone,
} from './season.js';
import {
  activeSeason,
  cohortMembers,
  cohortMembersOf,
  cohortSizes,
  insertFirstSeason,
  insertMembers,
  insertResults,
  lockLeaguePlayers,
  lockRungs,
  lockSeasonChanges,
  membersByPlayer,
  resultsOf,
  saveMember,
  seasonById,
  seasonMembers,
  seasonsWithSizes,
  startNextSeason,
  type NamedMember,
  type SeasonRow,
  type SeasonStatus,
} from './store.js';

export interface LeagueSettings {
  /** The one game mode whose finished games feed this league; it also names the league in storage. */
  gameMode: string;
  /** Seasons are back to back: season k+1 starts when season k ends. */
  seasonLengthSeconds: number;
  season: SeasonConfig;
}

export interface LeagueGamePlayer {
  playerId: string;
  outcome: MatchOutcome;
  /** The player's hidden rating after the game. */
  rating: number;
}

/** One finished, rated game. */
export interface LeagueGame {
  gameId: string;
  gameMode: string;
  players: LeagueGamePlayer[];
}

/** A change of rung to tell the player about. */
export interface LeagueNotice {
  playerId: string;
  /** The season the change happened in; for reason 'season_end', the season that ended. */
  seasonId: number;
  kind: 'placed' | 'promoted' | 'relegated';
  /** 'points': a game (for 'placed', the last placement game); 'season_end': the cohort's zones. */
  reason: 'points' | 'season_end';
  /** The rung before; absent for 'placed'. */
  from?: Rung;
  to: Rung;
  /** LP on `to`. */
  points: number;
  /** reason 'season_end' only: where the next season starts the player, after the soft reset and any decay. */
  nextSeason?: { seasonId: number; rung: Rung; points: number };
}

export interface SeasonSummary {
  id: number;
  startsAt: Date;
  endsAt: Date;
  status: SeasonStatus;
  members: number;
}

/** One row of a cohort's table. The hidden rating only orders ties; it is never shown. */
export interface DivisionMember {
  playerId: string;
  displayName: string;
  /** 1-based among the cohort's placed members; undefined while placement games remain. */
  rank: number | undefined;
  points: number;
  placementsLeft: number;
  gamesPlayed: number;
  /** The zone the member is in now, by the same rules the season's end applies. */
  zone: Zone | null;
}

export interface DivisionStandings {
  seasonId: number;
  cohortId: string;
  /** The rung every member of the cohort is on. */
  rung: Rung;
  /** Ranked members best first, then members still in placements by id. */
  members: DivisionMember[];
}

export interface PlayerStanding extends DivisionMember {
  seasonId: number;
  seasonEndsAt: Date;
  /** The visible rung; undefined while placement games remain (see placementsLeft). */
  rung: Rung | undefined;
  cohortId: string;
  cohortSize: number;
}

/** A player's final placement in an ended season. */
export interface SeasonResult {
  seasonId: number;
  startsAt: Date;
  endsAt: Date;
  cohortId: string;
  /** The final visible rung; undefined when the season ended with placement games left. */
  rung: Rung | undefined;
  points: number;
  gamesPlayed: number;
  rank: number | undefined;
  cohortSize: number;
  movement: Movement;
}

interface GameMove {
  playerId: string;
  before: SeasonMember | undefined;
  after: Standing;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOMES: ReadonlySet<string> = new Set<MatchOutcome>(['win', 'draw', 'loss']);
const MAX_COHORT_ID_LENGTH = 200;

/**
 * The persistent league of one game mode: seasons, their members seated in cohorts, and each season's end. The
 * rules are ladder.ts and season.ts; this class loads standings, applies those rules and stores the result.
 *
 * Concurrency: a game share-locks its season's row and locks its players' league rows in id order; seating
 * takes an advisory lock per season and rung. A rollover takes the league's advisory lock, then the season row
 * for update: it waits for the games in flight, and games arriving meanwhile wait for it and then count in the
 * new season. A rollover never touches a `players` row, which the rating transactions calling recordGameIn hold.
 */
export class Leagues {
  private readonly mode: string;
  private readonly config: SeasonConfig;

  constructor(
    private readonly db: Database,
    readonly settings: LeagueSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {
    validateSettings(settings);
    this.mode = settings.gameMode;
    this.config = settings.season;
  }

  /**
   * Applies one finished, rated game to its players' standings, inside the transaction that rated it; games of
   * other modes are ignored. A game counts in the active season even once that season's end has passed, until
   * a rollover runs: no game is lost or held back, and the rollover alone decides where a season stops.
   */
  async recordGameIn(tx: Queryable, game: LeagueGame): Promise<LeagueNotice[]> {
    if (game.gameMode !== this.mode) return [];
    const players = playersOf(game);
    if (players.length === 0) return [];
    const season = await this.seasonForGameIn(tx);
    const ids = players.map((player) => player.playerId).sort();
    await lockLeaguePlayers(tx, this.mode, ids);
    const current = await membersByPlayer(tx, this.mode, season.id, ids);
    const { ladder } = this.config;
    const moves = players.map(({ playerId, outcome, rating }): GameMove => {
      const before = current.get(playerId);
      const start = before?.standing ?? newStanding(rating, ladder);
      return { playerId, before, after: applyMatch({ ...start, hiddenRating: rating }, outcome, ladder) };
    });
    await lockRungs(tx, this.mode, season.id, moves.filter((move) => !keepsSeat(move)).map((move) => move.after));
    for (const move of moves) {
      const cohort = keepsSeat(move) ? move.before.cohort : await this.seat(tx, season.id, move.after);
      const gamesPlayed = (move.before?.gamesPlayed ?? 0) + 1;
      await saveMember(tx, this.mode, season.id, { playerId: move.playerId, standing: move.after, gamesPlayed, cohort });
    }
    return moves.flatMap((move) => this.gameNotice(season.id, move));
  }

  /**
   * Rolls every season whose end has passed over to the next, oldest first, each in its own transaction, and
   * returns the season-end notices. Meant to run on a timer on every node: exactly one node rolls each season
   * over, the others find it done and change nothing.
   */
  async rolloverIfDue(): Promise<LeagueNotice[]> {
    const notices: LeagueNotice[] = [];
    // A lock-free look first: nearly every call finds nothing due.
    while (this.isDue(await activeSeason(this.db, this.mode))) {
      const rolled = await this.db.transaction((tx) => this.rollOverIn(tx));
      if (!rolled) break;
      notices.push(...rolled);
    }
    return notices;
  }

  /** Newest first. */
  async seasons(): Promise<SeasonSummary[]> {
    const rows = await seasonsWithSizes(this.db, this.mode);
    return rows.map((row) => ({ id: row.id, startsAt: row.starts_at, endsAt: row.ends_at, status: row.status, members: row.members }));
  }

  /** The player's standing in the given season (default: the active one); undefined when not a member. */
  async standingOf(playerId: string, seasonId?: number): Promise<PlayerStanding | undefined> {
    const id = playerIdOf(playerId);
    const season = seasonId === undefined ? await activeSeason(this.db, this.mode) : await this.seasonOrThrow(seasonId);
    if (!season) return undefined;
    // The player's cohort in one read, so a reseat in between cannot split the row from its table.
    const cohort = await cohortMembersOf(this.db, this.mode, season.id, id);
    const table = this.table(season.id, cohort);
    const own = cohort.find((member) => member.playerId === id);
    const row = table?.members.find((member) => member.playerId === id);
    if (!table || !own || !row) return undefined;
    return {
      ...row,
      seasonId: season.id,
      seasonEndsAt: season.ends_at,
      rung: visibleTier(own.standing, this.config.ladder),
      cohortId: table.cohortId,
      cohortSize: table.members.length,
    };
  }

  /** A cohort's table. Throws season_not_found or division_not_found. */
  async division(seasonId: number, cohortId: string): Promise<DivisionStandings> {
    if (typeof cohortId !== 'string' || cohortId === '' || cohortId.length > MAX_COHORT_ID_LENGTH) invalid('cohort id must be a non-empty string');
    const season = await this.seasonOrThrow(seasonId);
    const table = this.table(season.id, await cohortMembers(this.db, this.mode, season.id, cohortId));
    if (!table) throw new LeagueServiceError('division_not_found', `season ${season.id} has no cohort ${cohortId}`);
    return table;
  }

  /** The player's ended seasons, newest first. */
  async historyOf(playerId: string): Promise<SeasonResult[]> {
    const records = await resultsOf(this.db, this.mode, playerIdOf(playerId));
    return records.map(({ member, seasonId, startsAt, endsAt, rank, movement, cohortSize }) => ({
      seasonId,
      startsAt,
      endsAt,
      cohortId: member.cohort.id,
      rung: visibleTier(member.standing, this.config.ladder),
      points: member.standing.points,
      gamesPlayed: member.gamesPlayed,
      rank,
      cohortSize,
      movement,
    }));
  }

  /**
   * The season a game counts in, share-locked until the caller commits so a rollover waits for the game. Finding
   * none means there is no season yet, or a rollover committed while this waited; under the rollover lock a
   * fresh look then sees the new season, or the first one is created here.
   */
  private async seasonForGameIn(tx: Queryable): Promise<SeasonRow> {
    const active = await activeSeason(tx, this.mode, 'FOR SHARE');
    if (active) return active;
    await lockSeasonChanges(tx, this.mode);
    return (
      (await activeSeason(tx, this.mode, 'FOR SHARE')) ??
      (await insertFirstSeason(tx, this.mode, this.clock(), this.settings.seasonLengthSeconds))
    );
  }

  /** A cohort of the rung for a member entering it; the caller holds the rung's seating lock. */
  private async seat(tx: Queryable, seasonId: number, rung: Rung): Promise<Cohort> {
    const sizes = await cohortSizes(tx, this.mode, seasonId, rung);
    return { id: seatInRung(seasonId, rung, sizes, this.config.cohortSize), tier: rung.tier, division: rung.division };
  }

  private gameNotice(seasonId: number, { playerId, before, after }: GameMove): LeagueNotice[] {
    const { ladder } = this.config;
    const to = visibleTier(after, ladder);
    if (!to) return [];
    const from = before && visibleTier(before.standing, ladder);
    if (!from) return [{ playerId, seasonId, kind: 'placed', reason: 'points', to, points: after.points }];
    const step = rungIndex(to, ladder) - rungIndex(from, ladder);
    if (step === 0) return [];
    return [{ playerId, seasonId, kind: step > 0 ? 'promoted' : 'relegated', reason: 'points', from, to, points: after.points }];
  }

  /** One season's rollover, or undefined when, under the lock, it is not (or no longer) due. */
  private async rollOverIn(tx: Queryable): Promise<LeagueNotice[] | undefined> {
    await lockSeasonChanges(tx, this.mode);
    // FOR UPDATE waits for the games still counting in the season: each holds a share lock on its row.
    const ending = await activeSeason(tx, this.mode, 'FOR UPDATE');
    if (!this.isDue(ending)) return undefined;
    const ended: Season = { seasonId: ending.id, members: await seasonMembers(tx, this.mode, ending.id) };
    const outcomes = seasonOutcomes(ended.members, this.config);
    const next = rolloverSeason(ended, ending.id + 1, this.config);
    await insertResults(tx, this.mode, ending.id, outcomes.map(({ member, rank, movement }) => ({ playerId: member.playerId, rank, movement })));
    await startNextSeason(tx, this.mode, ending, this.clock(), this.settings.seasonLengthSeconds);
    await insertMembers(tx, this.mode, next.seasonId, next.members);

    const startsAt = new Map(next.members.map((member) => [member.playerId, member.standing]));
    return outcomes.flatMap(({ member, movement, reached }): LeagueNotice[] => {
      const start = startsAt.get(member.playerId);
      if (movement === 'stayed' || !start) return [];
      return [
        {
          playerId: member.playerId,
          seasonId: ending.id,
          kind: movement,
          reason: 'season_end',
          from: rungOf(member.standing),
          to: rungOf(reached),
          points: reached.points,
          nextSeason: { seasonId: next.seasonId, rung: rungOf(start), points: start.points },
        },
      ];
    });
  }

  /** Ranked members first (rankCohort's order, with their zones), then those still in placements. */
  private table(seasonId: number, members: readonly NamedMember[]): DivisionStandings | undefined {
    const first = members[0];
    if (!first) return undefined;
    const { placementGames } = this.config.ladder;
    const row = (member: NamedMember, rank: number | undefined, zone: Zone | null): DivisionMember => ({
      playerId: member.playerId,
      displayName: member.displayName,
      rank,
      points: member.standing.points,
      placementsLeft: Math.max(0, placementGames - member.standing.placementsPlayed),
      gamesPlayed: member.gamesPlayed,
      zone,
    });
    const ranked = rankCohort(first.cohort.tier, members, this.config);
    const rankedIds = new Set(ranked.map(({ player }) => player.playerId));
    return {
      seasonId,
      cohortId: first.cohort.id,
      rung: rungOf(first.cohort),
      members: [
        ...ranked.map(({ player, rank, zone }) => row(player, rank, zone)),
        ...members.filter((member) => !rankedIds.has(member.playerId)).map((member) => row(member, undefined, null)),
      ],
    };
  }

  private async seasonOrThrow(seasonId: number): Promise<SeasonRow> {
    if (!Number.isSafeInteger(seasonId) || seasonId < 1) invalid('season id must be a positive integer');
    const season = await seasonById(this.db, this.mode, seasonId);
    if (!season) throw new LeagueServiceError('season_not_found', `league ${this.mode} has no season ${seasonId}`);
    return season;
  }

  private isDue(season: SeasonRow | undefined): season is SeasonRow {
    return season !== undefined && this.clock().getTime() >= season.ends_at.getTime();
  }
}

/** The member stays in its cohort: it had one, on the rung the game leaves it on. */
function keepsSeat(move: GameMove): move is GameMove & { before: SeasonMember } {
  return move.before !== undefined && move.before.standing.tier === move.after.tier && move.before.standing.division === move.after.division;
}

/** Just the rung: standings also carry the hidden rating, which must not leave the service. */
function rungOf({ tier, division }: Rung): Rung {
  return { tier, division };
}

function invalid(message: string): never {
  throw new LeagueServiceError('invalid_request', message);
}

function playerIdOf(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) invalid('player ids must be UUIDs');
  return value.toLowerCase();
}

function playersOf(game: LeagueGame): LeagueGamePlayer[] {
  if (!Array.isArray(game.players)) invalid(`game ${game.gameId}: players must be a list`);
  const seen = new Set<string>();
  return game.players.map(({ playerId, outcome, rating }) => {
    const id = playerIdOf(playerId);
    if (seen.has(id)) invalid(`game ${game.gameId}: player ${id} is listed twice`);
    seen.add(id);
    if (!OUTCOMES.has(outcome)) invalid(`game ${game.gameId}: outcome must be win, draw or loss`);
    if (!Number.isFinite(rating)) invalid(`game ${game.gameId}: ratings must be finite numbers`);
    return { playerId: id, outcome, rating };
  });
}

function validateSettings(settings: LeagueSettings): void {
  if (settings.gameMode.trim() === '') throw new LeagueError('invalid_config', 'gameMode must not be empty');
  if (!Number.isSafeInteger(settings.seasonLengthSeconds) || settings.seasonLengthSeconds <= 0) {
    throw new LeagueError('invalid_config', `seasonLengthSeconds must be a positive integer, got ${settings.seasonLengthSeconds}`);
  }
  validateSeasonConfig(settings.season);
}
