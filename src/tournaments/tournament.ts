import type {
  TournamentDetails,
  TournamentEntrant,
  TournamentMatch,
  TournamentSettings,
  TournamentStanding,
  TournamentStatus,
  TournamentSummary,
} from '../api/tournaments.js';
import { TournamentError } from './errors.js';
import type { TournamentEventData, TournamentEventRecord } from './events.js';
import { FormatError, type MatchResult, type MatchView } from './formats/types.js';
import { allowsDraws, bestOfFor, checkInRequired } from './settings.js';
import { Stage, gameWins, pairOf, type Series } from './stage.js';

export interface Registration {
  playerId: string;
  name: string;
  checkedIn: boolean;
}

/** A match as the tournament sees it: the format's view, its stage and its series. */
export interface TournamentMatchView {
  stage: Stage;
  match: MatchView;
  series: Series | undefined;
  bestOf: number;
}

/** A match whose players are known and that waits for its room. */
export interface MatchNeedingRoom {
  matchId: string;
  players: [string, string];
  bestOf: number;
}

/**
 * One tournament as the left fold of its event log (`apply`). Everything here is pure: commands are checked by
 * the `decide…` methods, which return the events to append (or none, for a repeat of what already happened), and
 * the state changes only when those events are applied.
 */
export class Tournament {
  status: TournamentStatus = 'registration';
  version = 0;
  settings!: TournamentSettings;
  owner = '';
  createdAt = 0;
  readonly withdrawn = new Set<string>();
  readonly series = new Map<string, Series>();
  stages: Stage[] = [];
  /** Registrations in registration order (a Map keeps insertion order). */
  private readonly registrations = new Map<string, Registration>();
  private checkInsProcessed = false;
  private seeds: string[] = [];
  private pairingSeed = 0;
  /** Every event applied, for previews replayed on a copy. */
  private readonly log: TournamentEventRecord[] = [];

  constructor(readonly id: string) {}

  static replay(id: string, records: readonly TournamentEventRecord[]): Tournament {
    const tournament = new Tournament(id);
    for (const record of records) tournament.apply(record);
    return tournament;
  }

  apply(record: TournamentEventRecord): void {
    if (record.seq !== this.version + 1) throw new RangeError(`event ${record.seq} applied after ${this.version}`);
    this.version = record.seq;
    this.log.push(record);
    const event = record.event;
    switch (event.type) {
      case 'created':
        this.settings = event.settings;
        this.owner = event.owner;
        this.createdAt = record.at;
        return;
      case 'registered':
        this.registrations.set(event.player_id, { playerId: event.player_id, name: event.name, checkedIn: false });
        return;
      case 'unregistered':
        this.registrations.delete(event.player_id);
        return;
      case 'checked_in':
        this.registrations.get(event.player_id)!.checkedIn = true;
        return;
      case 'check_ins_processed':
        this.checkInsProcessed = true;
        return;
      case 'started':
        this.seeds = event.seeds;
        this.pairingSeed = event.seed;
        this.status = 'running';
        this.stages = [this.newStage(0, event.seeds.map((id, index) => ({ id, seed: index + 1 })))];
        break;
      case 'room_opened': {
        const series = this.seriesFor(event.match_id);
        series.room = { roomId: event.room_id, node: event.node, deadline: event.deadline, attended: false };
        break;
      }
      case 'attendance':
        this.applyAttendance(event.match_id, event.absent);
        break;
      case 'game_reported':
        this.applyGame(event.match_id, event.game_id, event.winner_id);
        break;
      case 'reported': {
        const series = this.seriesFor(event.match_id);
        series.result = this.resultOf(series, event.winner_id, event.score, event.forfeited);
        break;
      }
      case 'reopened':
        this.applyReopen(event.match_id, event.reset, event.replay);
        break;
      case 'withdrew':
        if (this.status === 'registration') this.registrations.delete(event.player_id);
        else this.withdrawn.add(event.player_id);
        break;
    }
    this.settle();
  }

  // ---- Reading -------------------------------------------------------------------------------------------

  get currentStage(): Stage | undefined {
    return this.stages.at(-1);
  }

  /** Entrants (the first max_entrants eligible registrations) and the waitlist behind them. */
  field(): { entrants: Registration[]; waitlist: Registration[] } {
    const eligible = [...this.registrations.values()].filter((r) => !this.checkInsProcessed || r.checkedIn);
    const max = this.settings.max_entrants ?? eligible.length;
    return { entrants: eligible.slice(0, max), waitlist: eligible.slice(max) };
  }

  isRegistered(playerId: string): boolean {
    return this.registrations.has(playerId);
  }

  matches(): TournamentMatchView[] {
    return this.stages.flatMap((stage) =>
      stage.matches.map((match) => ({
        stage,
        match,
        series: this.currentSeries(match),
        bestOf: bestOfFor(this.settings, stage.number, match),
      })),
    );
  }

  findMatch(matchId: string): TournamentMatchView {
    const found = this.matches().find((view) => view.match.id === matchId);
    if (!found) throw new TournamentError('match_not_found', `tournament ${this.id} has no match ${matchId}`);
    return found;
  }

  /** Ready matches with no room yet (and not held for a report). */
  matchesNeedingRooms(): MatchNeedingRoom[] {
    if (this.status !== 'running') return [];
    return this.matches().flatMap(({ match, series, bestOf }) => {
      const players = pairOf(match);
      if (match.state !== 'ready' || !players || series?.room || series?.held) return [];
      return [{ matchId: match.id, players, bestOf }];
    });
  }

  /** Rooms of undecided matches, by room id: the rooms that should exist now. */
  openRooms(): Map<string, { matchId: string; players: [string, string]; deadline: number; attended: boolean; node: string }> {
    const rooms = new Map<string, { matchId: string; players: [string, string]; deadline: number; attended: boolean; node: string }>();
    for (const { match, series } of this.matches()) {
      if (match.state === 'ready' && series?.room) rooms.set(series.room.roomId, { matchId: match.id, players: series.players, ...series.room });
    }
    return rooms;
  }

  /** Every series with a result or a room that the bracket no longer reaches with the same players. */
  orphanedSeries(): string[] {
    const current = new Set(this.matches().flatMap(({ series }) => (series ? [series.matchId] : [])));
    return [...this.series.values()].filter((s) => !current.has(s.matchId) && (s.result || s.room)).map((s) => s.matchId);
  }

  summary(): TournamentSummary {
    return {
      id: this.id,
      name: this.settings.name,
      game_mode: this.settings.game_mode ?? '',
      status: this.status,
      owner_id: this.owner,
      formats: this.settings.stages.map((stage) => stage.format),
      entrant_count: this.status === 'registration' ? this.field().entrants.length : this.seeds.length,
      max_entrants: this.settings.max_entrants ?? 0,
      starts_at: this.settings.starts_at ?? null,
      created_at: new Date(this.createdAt).toISOString(),
    };
  }

  details(): TournamentDetails {
    const { entrants, waitlist } = this.field();
    const seedOf = new Map(this.seeds.map((id, index) => [id, index + 1]));
    const entrantOf = (r: Registration): TournamentEntrant => ({
      player_id: r.playerId,
      name: r.name,
      seed: seedOf.get(r.playerId) ?? null,
      checked_in: r.checkedIn,
      withdrawn: this.withdrawn.has(r.playerId),
    });
    const field = this.status === 'registration' ? entrants : this.seeds.map((id) => this.registrations.get(id)!);
    return {
      ...this.summary(),
      settings: this.settings,
      version: this.version,
      entrants: field.map(entrantOf),
      waitlist: this.status === 'registration' ? waitlist.map(entrantOf) : [],
      stage: this.stages.length,
      matches: this.matches().map(matchView),
      standings: this.stages.flatMap(standingsView),
      placements: this.placements(),
      ...(this.currentStage?.blocked ? { blocked: this.currentStage.blocked } : {}),
    };
  }

  /** Final places once finished: the last stage's, then those who went out in the groups, by their group rank. */
  placements(): { player_id: string; place: number }[] {
    if (this.status !== 'finished') return [];
    const last = this.stages.at(-1)!;
    const places = last.placements.length > 0 ? last.placements.map((p) => ({ player_id: p.entrantId, place: p.place })) : groupPlaces(last);
    if (this.stages.length === 2) {
      const placed = new Set(places.map((p) => p.player_id));
      for (const { player_id } of groupPlaces(this.stages[0]!)) if (!placed.has(player_id)) places.push({ player_id, place: places.length + 1 });
    }
    return places;
  }

  // ---- Deciding ------------------------------------------------------------------------------------------

  decideRegister(player: { id: string; name: string }, now: number): TournamentEventData[] {
    this.assertRegistrationOpen(now);
    if (this.registrations.has(player.id)) throw new TournamentError('already_registered', 'you are already registered');
    return [{ type: 'registered', player_id: player.id, name: player.name }];
  }

  decideUnregister(playerId: string): TournamentEventData[] {
    if (this.status !== 'registration') throw new TournamentError('already_started', 'the tournament has started: withdraw instead');
    if (!this.registrations.has(playerId)) throw new TournamentError('not_registered', 'you are not registered');
    return [{ type: 'unregistered', player_id: playerId }];
  }

  decideCheckIn(playerId: string, now: number): TournamentEventData[] {
    if (this.status !== 'registration' || this.checkInsProcessed) throw new TournamentError('check_in_closed', 'check-in is over');
    if (!checkInRequired(this.settings)) throw new TournamentError('check_in_closed', 'this tournament has no check-in');
    const opens = Date.parse(this.settings.check_in_opens_at!);
    const closes = this.settings.check_in_closes_at ?? this.settings.starts_at;
    if (now < opens) throw new TournamentError('check_in_closed', `check-in opens at ${this.settings.check_in_opens_at}`);
    if (closes !== undefined && now > Date.parse(closes)) throw new TournamentError('check_in_closed', `check-in closed at ${closes}`);
    const registration = this.registrations.get(playerId);
    if (!registration) throw new TournamentError('not_registered', 'you are not registered');
    return registration.checkedIn ? [] : [{ type: 'checked_in', player_id: playerId }];
  }

  decideProcessCheckIns(): TournamentEventData[] {
    if (this.status !== 'registration') throw new TournamentError('already_started', 'the tournament has started');
    if (!checkInRequired(this.settings)) throw new TournamentError('check_in_closed', 'this tournament has no check-in');
    return this.checkInsProcessed ? [] : [{ type: 'check_ins_processed' }];
  }

  /**
   * Starts with the field as it stands (check-ins processed first when required). `ratings` seed it by rating
   * (registration order breaks ties); `manualSeeds` is the whole field in seed order.
   */
  decideStart(ratings: ReadonlyMap<string, number>, manualSeeds: string[] | undefined, pairingSeed: number): TournamentEventData[] {
    if (this.status !== 'registration') throw new TournamentError('already_started', 'the tournament has already started');
    const events: TournamentEventData[] = [];
    if (checkInRequired(this.settings) && !this.checkInsProcessed) events.push({ type: 'check_ins_processed' });
    const eligible = [...this.registrations.values()].filter((r) => !checkInRequired(this.settings) || r.checkedIn);
    const field = eligible.slice(0, this.settings.max_entrants).map((r) => r.playerId);
    const min = this.settings.min_entrants ?? 2;
    if (field.length < min) throw new TournamentError('not_enough_entrants', `${field.length} entrants; the tournament needs at least ${min}`);
    assertSwissFieldFits(this.settings, field.length);
    const seeds = this.seedField(field, ratings, manualSeeds);
    try {
      this.newStage(0, seeds.map((id, index) => ({ id, seed: index + 1 }))).evaluate(new Map(), new Set());
    } catch (error) {
      if (error instanceof FormatError) throw new TournamentError('not_enough_entrants', `${field.length} entrants cannot play this format: ${error.message}`);
      throw error;
    }
    return [...events, { type: 'started', seeds, seed: pairingSeed }];
  }

  decideRoomOpened(matchId: string, room: { roomId: string; node: string; deadline: number }, replacing: string | undefined): TournamentEventData[] {
    const { match, series } = this.findMatch(matchId);
    if (match.state !== 'ready' || series?.held || (series?.room?.roomId ?? undefined) !== replacing) return [];
    return [{ type: 'room_opened', match_id: matchId, room_id: room.roomId, node: room.node, deadline: room.deadline }];
  }

  decideAttendance(matchId: string, roomId: string, present: ReadonlySet<string>): TournamentEventData[] {
    const { match, series } = this.findMatch(matchId);
    if (match.state !== 'ready' || series?.room?.roomId !== roomId || series.room.attended) return [];
    return [{ type: 'attendance', match_id: matchId, room_id: roomId, absent: series.players.filter((id) => !present.has(id)) }];
  }

  /** A game played in a match's room; repeats, and games of a room the match no longer has, change nothing. */
  decideGame(matchId: string, roomId: string, gameId: string, winnerId: string | null): TournamentEventData[] {
    let view: TournamentMatchView;
    try {
      view = this.findMatch(matchId);
    } catch {
      return [];
    }
    const { match, series } = view;
    if (match.state !== 'ready' || series?.room?.roomId !== roomId || series.games.some((game) => game.gameId === gameId)) return [];
    return [{ type: 'game_reported', match_id: matchId, room_id: roomId, game_id: gameId, winner_id: winnerId }];
  }

  /** An organizer's result. The same result again is a no-op; a different one for a decided match needs a reopen. */
  decideReport(matchId: string, report: { winnerId: string | null; score: [number, number]; forfeited: string[] }): TournamentEventData[] {
    this.assertRunning();
    const { match, stage } = this.findMatch(matchId);
    const players = pairOf(match);
    if (!players) throw new TournamentError('match_not_ready', `match ${matchId} does not have both players yet`);
    const known = [report.winnerId, ...report.forfeited].filter((id): id is string => id !== null);
    if (known.some((id) => !players.includes(id))) throw new TournamentError('invalid_report', `the winner and forfeits must be players of ${matchId}`);
    const forfeited = players.filter((id) => report.forfeited.includes(id));
    const winner = report.winnerId === null ? null : players.indexOf(report.winnerId) === 0 ? 0 : 1;
    const result: MatchResult = {
      matchId,
      winner,
      score: report.score,
      ...(forfeited.length > 0 ? { forfeited: forfeited.map((id) => (players.indexOf(id) === 0 ? 0 : 1)) } : {}),
    };
    this.validateReport(stage, result);
    if (match.state === 'done') {
      if (match.result && sameResult(match.result, result)) return [];
      throw new TournamentError('match_decided', `match ${matchId} is decided; reopen it to change its result`);
    }
    return [{ type: 'reported', match_id: matchId, winner_id: report.winnerId, score: report.score, forfeited }];
  }

  /** What reopening `matchId` resets (the preview), and the event that does it. */
  decideReopen(matchId: string, replay: boolean): { reset: string[]; events: TournamentEventData[] } {
    if (this.status === 'registration') throw new TournamentError('not_started', 'the tournament has not started');
    const { match, series } = this.findMatch(matchId);
    if (match.state !== 'done' || !series?.result) {
      throw new TournamentError('match_not_decided', `match ${matchId} has no result to reopen (byes and pending matches cannot be reopened)`);
    }
    const records = this.hypothetical({ type: 'reopened', match_id: matchId, reset: [], replay });
    const reset = records.orphanedSeries().filter((id) => id !== matchId);
    return { reset, events: [{ type: 'reopened', match_id: matchId, reset, replay }] };
  }

  decideWithdraw(playerId: string): TournamentEventData[] {
    if (this.status === 'finished') throw new TournamentError('finished', 'the tournament is over');
    if (!this.isRegistered(playerId) || (this.status === 'running' && !this.seeds.includes(playerId))) {
      throw new TournamentError('not_registered', 'not an entrant of this tournament');
    }
    return this.withdrawn.has(playerId) ? [] : [{ type: 'withdrew', player_id: playerId }];
  }

  /** The effect of one more event, computed on a copy replayed from the log. */
  private hypothetical(event: TournamentEventData): Tournament {
    const copy = Tournament.replay(this.id, this.log);
    copy.apply({ seq: copy.version + 1, at: 0, actor: 'preview', event });
    return copy;
  }

  // ---- Folding -------------------------------------------------------------------------------------------

  private newStage(index: number, entrants: { id: string; seed: number }[]): Stage {
    return new Stage(index + 1, this.settings.stages[index]!, entrants, this.settings, this.pairingSeed);
  }

  /** Re-evaluates the stages; moves on to the next stage or finishes when the current one is done. */
  private settle(): void {
    if (this.status === 'registration') return;
    for (let index = 0; index < this.stages.length; index++) {
      const stage = this.stages[index]!;
      stage.evaluate(this.series, this.withdrawn);
      const next = this.settings.stages[index + 1];
      if (!stage.finished) {
        this.stages.length = index + 1;
        this.status = 'running';
        return;
      }
      if (next && this.stages.length === index + 1) {
        // Withdrawals can leave fewer than two to go on: then the tournament ends with the groups.
        const qualifiers = stage.qualifiers(this.withdrawn);
        if (qualifiers.length >= 2) this.stages.push(this.newStage(index + 1, qualifiers));
      }
    }
    this.status = 'finished';
  }

  private seriesFor(matchId: string): Series {
    const { match } = this.findMatch(matchId);
    const players = pairOf(match)!;
    const existing = this.currentSeries(match);
    if (existing) return existing;
    const created: Series = { matchId, players, games: [], held: false };
    this.series.set(matchId, created);
    return created;
  }

  /** The series of a match, if it was played by the players the match has now. */
  private currentSeries(match: MatchView): Series | undefined {
    const series = this.series.get(match.id);
    const players = pairOf(match);
    return series && players && series.players[0] === players[0] && series.players[1] === players[1] ? series : undefined;
  }

  private applyAttendance(matchId: string, absent: string[]): void {
    const series = this.seriesFor(matchId);
    if (absent.length === 0) {
      series.room!.attended = true;
      return;
    }
    const present = series.players.filter((id) => !absent.includes(id));
    series.result = this.resultOf(series, present.length === 1 ? present[0]! : null, gameWins(series), absent);
  }

  private applyGame(matchId: string, gameId: string, winnerId: string | null): void {
    const series = this.seriesFor(matchId);
    series.games.push({ gameId, winner: winnerId === null ? null : series.players[0] === winnerId ? 0 : 1 });
    if (series.room) series.room.attended = true;
    const { stage, bestOf } = this.findMatch(matchId);
    const wins = gameWins(series);
    const needed = Math.ceil(bestOf / 2);
    if (wins[0] >= needed || wins[1] >= needed) {
      series.result = { matchId, winner: wins[0] > wins[1] ? 0 : 1, score: wins };
    } else if (allowsDraws(stage.settings) && series.games.length >= bestOf) {
      series.result = { matchId, winner: wins[0] === wins[1] ? null : wins[0] > wins[1] ? 0 : 1, score: wins };
    }
  }

  private applyReopen(matchId: string, reset: string[], replay: boolean): void {
    const { stage, match } = this.findMatch(matchId);
    const players = pairOf(match)!;
    for (const id of reset) this.series.delete(id);
    this.series.delete(matchId);
    if (!replay) this.series.set(matchId, { matchId, players, games: [], held: true });
    if (stage.settings.format === 'swiss') stage.truncateSwiss(match.round);
    this.stages.length = stage.number;
    this.status = 'running';
  }

  private resultOf(series: Series, winnerId: string | null, score: [number, number], forfeited: string[]): MatchResult {
    const sides = series.players.flatMap((id, side) => (forfeited.includes(id) ? [side as 0 | 1] : []));
    return {
      matchId: series.matchId,
      winner: winnerId === null ? null : series.players[0] === winnerId ? 0 : 1,
      score,
      ...(sides.length > 0 ? { forfeited: sides } : {}),
    };
  }

  private validateReport(stage: Stage, result: MatchResult): void {
    const forfeits = result.forfeited?.length ?? 0;
    if (forfeits === 2 && result.winner !== null) throw new TournamentError('invalid_report', 'a double forfeit has no winner');
    if (forfeits === 1 && result.winner === result.forfeited![0]) throw new TournamentError('invalid_report', 'a forfeiting player cannot win');
    if (forfeits === 1 && result.winner === null) throw new TournamentError('invalid_report', 'a single forfeit makes the other player the winner');
    if (forfeits > 0) return;
    if (result.winner === null) {
      if (!allowsDraws(stage.settings)) throw new TournamentError('invalid_report', 'elimination matches cannot be drawn');
      if (result.score[0] !== result.score[1]) throw new TournamentError('invalid_report', 'a draw needs an equal score');
      return;
    }
    const loser = result.winner === 0 ? 1 : 0;
    if (result.score[result.winner] <= result.score[loser]) throw new TournamentError('invalid_report', 'the winner must have the higher score');
  }

  private seedField(field: string[], ratings: ReadonlyMap<string, number>, manualSeeds: string[] | undefined): string[] {
    if (this.settings.seeding === 'manual') {
      if (!manualSeeds) throw new TournamentError('invalid_seeds', 'manual seeding: start with `seeds`, every entrant in seed order');
      const complete = manualSeeds.length === field.length && new Set(manualSeeds).size === field.length && manualSeeds.every((id) => field.includes(id));
      if (!complete) throw new TournamentError('invalid_seeds', '`seeds` must list every entrant exactly once');
      return manualSeeds;
    }
    if (manualSeeds) throw new TournamentError('invalid_seeds', '`seeds` is only taken with seeding: manual');
    if (this.settings.seeding === 'registration') return field;
    const order = new Map(field.map((id, index) => [id, index]));
    return [...field].sort((a, b) => (ratings.get(b) ?? 0) - (ratings.get(a) ?? 0) || order.get(a)! - order.get(b)!);
  }

  private assertRegistrationOpen(now: number): void {
    if (this.status !== 'registration' || this.checkInsProcessed) throw new TournamentError('registration_closed', 'registration is closed');
    const { registration_opens_at: opens, registration_closes_at: closes } = this.settings;
    if (opens !== undefined && now < Date.parse(opens)) throw new TournamentError('registration_closed', `registration opens at ${opens}`);
    if (closes !== undefined && now > Date.parse(closes)) throw new TournamentError('registration_closed', `registration closed at ${closes}`);
  }

  private assertRunning(): void {
    if (this.status === 'registration') throw new TournamentError('not_started', 'the tournament has not started');
  }
}

function sameResult(a: MatchResult, b: MatchResult): boolean {
  const forfeits = (r: MatchResult) => [...(r.forfeited ?? [])].sort().join();
  return a.winner === b.winner && a.score[0] === b.score[0] && a.score[1] === b.score[1] && forfeits(a) === forfeits(b);
}

function matchView({ stage, match, series, bestOf }: TournamentMatchView): TournamentMatch {
  const players = match.slots.map((slot) => (slot.kind === 'entrant' ? slot.entrantId : slot.kind === 'bye' ? 'bye' : null));
  const result = match.result;
  const ids = pairOf(match);
  const room = match.state === 'ready' ? series?.room : undefined;
  return {
    id: match.id,
    stage: stage.number,
    bracket: match.bracket,
    round: match.round,
    state: match.state === 'ready' && room ? 'in_progress' : match.state,
    players,
    best_of: bestOf,
    score: result ? [...result.score] : series ? gameWins(series) : [0, 0],
    winner_id: result && result.winner !== null && ids ? ids[result.winner] : null,
    forfeited: result?.forfeited && ids ? result.forfeited.map((side) => ids[side]) : [],
    room_id: room?.roomId ?? null,
    join_deadline: room && !room.attended ? new Date(room.deadline).toISOString() : null,
  };
}

function standingsView(stage: Stage): TournamentStanding[] {
  return stage.standings().flatMap((group, index) =>
    group.map((standing) => ({
      stage: stage.number,
      group: index + 1,
      rank: standing.rank,
      player_id: standing.entrantId,
      points: standing.points,
      wins: standing.wins,
      draws: standing.draws,
      losses: standing.losses,
      buchholz: standing.tieBreaks.buchholz,
    })),
  );
}

/**
 * A group stage's entrants by group rank, then points, then seed. One group keeps its ranks (shared ones
 * included); with several, places run on in that order.
 */
function groupPlaces(stage: Stage): { player_id: string; place: number }[] {
  const groups = stage.standings();
  const seedOf = new Map(stage.entrants.map((entrant) => [entrant.id, entrant.seed]));
  return groups
    .flat()
    .sort((a, b) => a.rank - b.rank || b.points - a.points || seedOf.get(a.entrantId)! - seedOf.get(b.entrantId)!)
    .map((standing, index) => ({ player_id: standing.entrantId, place: groups.length === 1 ? standing.rank : index + 1 }));
}

/**
 * A Swiss stage played to win/loss thresholds can last wins + losses − 1 rounds: a field with fewer distinct
 * opponents (plus one bye when odd) than that is certain to run out of legal pairings, so it does not start.
 */
function assertSwissFieldFits(settings: TournamentSettings, entrants: number): void {
  const stage = settings.stages[0];
  if (stage?.format !== 'swiss' || stage.wins_to_advance === undefined || stage.losses_to_eliminate === undefined) return;
  const rounds = stage.wins_to_advance + stage.losses_to_eliminate - 1;
  const games = (n: number) => n - 1 + (n % 2);
  if (games(entrants) >= rounds) return;
  let needed = entrants;
  while (games(needed) < rounds) needed++;
  throw new TournamentError(
    'not_enough_entrants',
    `${entrants} entrants cannot play up to ${rounds} Swiss rounds without rematches; this stage needs at least ${needed}`,
  );
}
