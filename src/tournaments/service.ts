import type { Logger } from 'pino';
import type { Role } from '../api/index.js';
import type { MatchReport, ReopenResult, TournamentDetails, TournamentEvent, TournamentSettings, TournamentSummary } from '../api/index.js';
import { subscribeJson, type Cache } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import type { ServerMessage } from '../protocol/index.js';
import type { RoomRegistry } from '../rooms/index.js';
import { TournamentError } from './errors.js';
import { SYSTEM_ACTOR, type TournamentEventData } from './events.js';
import { normalizeSettings } from './settings.js';
import { assertTournamentId, type CommandOutcome, type TournamentFilter, type TournamentStore } from './store.js';
import { completeReport } from './series.js';
import { pairOf } from './stage.js';
import type { MatchNeedingRoom, Tournament } from './tournament.js';

export interface Caller {
  id: string;
  name: string;
}

export type MatchReadyNotice = Extract<ServerMessage, { type: 'tournament_match_ready' }>;

export interface TournamentServiceSettings {
  /** How often this node looks for work: rooms to open, join deadlines passed, lost rooms, start times. */
  sweepMs: number;
}

export interface TournamentServiceDeps {
  modes: { default: string; has(name: string): boolean };
  ratingOf(playerId: string, gameMode: string): Promise<number | undefined>;
  roleOf(playerId: string): Promise<Role>;
  /** This node's name: it watches the rooms it hosts (a restarted node finds them gone and opens new ones). */
  node: string;
  logger: Logger;
  now: () => number;
  /** A seed for a tournament's Swiss pairing tie-breaks. */
  seed: () => number;
}

/** Published on this channel when a match room opens, so the node holding each player's socket can tell it. */
export const TOURNAMENT_CHANNEL = 'tournaments:ready';

/** A room's seats stay reserved this long past the join deadline, so the deadline (not the room) decides a no-show. */
const RESERVATION_MARGIN_SECONDS = 30;
/** Every this many sweeps the rooms of matches under way are checked for having gone (a node restarted). */
const LOST_ROOM_CHECK_EVERY = 5;

const forbidden = (message: string) => new TournamentError('forbidden', message);

/**
 * Tournaments played in GameV1 rooms. Commands go through the store (one transaction each); after each, this
 * service makes the world match the tournament: a room reserved for exactly the two players of every ready match
 * (they are told with `tournament_match_ready`), rooms of decided or reset matches closed. A sweep on every node
 * does the same for whatever a crash or another node left undone, applies join deadlines, replaces rooms of this
 * node that are gone, and starts tournaments whose start time came. Every step is idempotent, so nodes may race.
 */
export class TournamentService {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweeps = 0;
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Matches whose room this process is opening right now, so two triggers do not open two. */
  private readonly opening = new Set<string>();
  private readonly readyListeners: ((playerId: string, notice: MatchReadyNotice) => void)[] = [];

  constructor(
    private readonly store: TournamentStore,
    private readonly rooms: RoomRegistry,
    private readonly cache: Pick<Cache, 'publish' | 'subscribe'>,
    private readonly settings: TournamentServiceSettings,
    private readonly deps: TournamentServiceDeps,
  ) {
    // Awaited, so a command's answer already shows the rooms it opened; a failure here is retried by the sweep.
    store.onCommitted(async (outcome) => {
      // Recording a room changes nothing else, and the opener is still busy opening the rest.
      if (outcome.applied.every(({ event }) => event.type === 'room_opened')) return;
      await this.reconcile(outcome).catch((error: unknown) => this.deps.logger.error({ err: error, tournament: outcome.tournament.id }, 'tournament follow-up failed'));
    });
  }

  /** Hears of every match room opened, whichever node opened it, once per player. */
  onMatchReady(listener: (playerId: string, notice: MatchReadyNotice) => void): void {
    this.readyListeners.push(listener);
  }

  async start(): Promise<void> {
    this.unsubscribe = await subscribeJson<{ player_id: string; notice: MatchReadyNotice }>(
      this.cache,
      TOURNAMENT_CHANNEL,
      (notice) => {
        for (const listener of this.readyListeners) listener(notice.player_id, notice.notice);
      },
      () => this.deps.logger.warn('unreadable message on the tournament channel'),
    );
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'tournament sweep failed'))
        .finally(() => {
          this.sweeping = undefined;
        });
    }, this.settings.sweepMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
    await this.unsubscribe?.();
  }

  // ---- Commands ------------------------------------------------------------------------------------------

  async create(caller: Caller, settings: TournamentSettings): Promise<TournamentDetails> {
    const role = await this.deps.roleOf(caller.id);
    if (role === 'player') throw forbidden('creating tournaments needs the organizer or admin role');
    const tournament = await this.store.create(caller.id, normalizeSettings(settings, this.deps.modes));
    return tournament.details();
  }

  list(filter: TournamentFilter): Promise<TournamentSummary[]> {
    return this.store.list(filter);
  }

  async get(id: string): Promise<TournamentDetails> {
    return (await this.load(id)).details();
  }

  async events(id: string, after: number, limit: number): Promise<TournamentEvent[]> {
    assertTournamentId(id);
    return this.store.events(id, after, limit);
  }

  register(id: string, caller: Caller): Promise<TournamentDetails> {
    return this.command(id, caller.id, (t) => t.decideRegister(caller, this.deps.now()));
  }

  unregister(id: string, caller: Caller): Promise<TournamentDetails> {
    return this.command(id, caller.id, (t) => t.decideUnregister(caller.id));
  }

  checkIn(id: string, caller: Caller): Promise<TournamentDetails> {
    return this.command(id, caller.id, (t) => t.decideCheckIn(caller.id, this.deps.now()));
  }

  async processCheckIns(id: string, caller: Caller): Promise<TournamentDetails> {
    await this.assertOrganizer(id, caller);
    return this.command(id, caller.id, (t) => t.decideProcessCheckIns());
  }

  async startTournament(id: string, caller: Caller, seeds?: string[]): Promise<TournamentDetails> {
    await this.assertOrganizer(id, caller);
    return this.startAs(id, caller.id, seeds);
  }

  async report(id: string, caller: Caller, matchId: string, report: MatchReport): Promise<TournamentDetails> {
    await this.assertOrganizer(id, caller);
    return this.command(id, caller.id, (t) => {
      const players = pairOf(t.findMatch(matchId).match);
      if (!players) throw new TournamentError('match_not_ready', `match ${matchId} does not have both players yet`);
      return t.decideReport(matchId, completeReport(players, report));
    });
  }

  /** Without `confirm`, only says what reopening would reset. */
  async reopen(id: string, caller: Caller, matchId: string, options: { confirm: boolean; replay: boolean }): Promise<ReopenResult> {
    await this.assertOrganizer(id, caller);
    if (!options.confirm) {
      const { reset } = (await this.load(id)).decideReopen(matchId, options.replay);
      return { match_id: matchId, applied: false, reset };
    }
    let reset: string[] = [];
    await this.command(id, caller.id, (t) => {
      const decided = t.decideReopen(matchId, options.replay);
      reset = decided.reset;
      return decided.events;
    });
    return { match_id: matchId, applied: true, reset };
  }

  /** The caller withdraws, or an organizer withdraws `playerId` (a disqualification). */
  async withdraw(id: string, caller: Caller, playerId = caller.id): Promise<TournamentDetails> {
    if (playerId !== caller.id) await this.assertOrganizer(id, caller);
    return this.command(id, caller.id, (t) => t.decideWithdraw(playerId));
  }

  /** Match-ready notices a player who just connected should have (its matches with an open room). */
  noticesFor(playerId: string): MatchReadyNotice[] {
    return this.store.cachedRunning().flatMap((tournament) =>
      [...tournament.openRooms()].flatMap(([roomId, room]) => (room.players.includes(playerId) ? [this.notice(tournament, room.matchId, roomId, playerId, room.deadline)] : [])),
    );
  }

  // ---- Keeping rooms in step -----------------------------------------------------------------------------

  private async command(id: string, actor: string, decide: (t: Tournament) => TournamentEventData[]): Promise<TournamentDetails> {
    assertTournamentId(id);
    const { tournament } = await this.store.execute(id, actor, decide);
    return tournament.details();
  }

  private async load(id: string): Promise<Tournament> {
    assertTournamentId(id);
    return this.store.load(id);
  }

  private async startAs(id: string, actor: string, seeds: string[] | undefined): Promise<TournamentDetails> {
    const tournament = await this.load(id);
    const gameMode = tournament.settings.game_mode!;
    const players = tournament.field().entrants.concat(tournament.field().waitlist);
    const ratings = new Map<string, number>();
    for (const { playerId } of players) ratings.set(playerId, (await this.deps.ratingOf(playerId, gameMode)) ?? 0);
    return this.command(id, actor, (t) => t.decideStart(ratings, seeds, this.deps.seed()));
  }

  private async assertOrganizer(id: string, caller: Caller): Promise<void> {
    const role = await this.deps.roleOf(caller.id);
    if (role === 'admin') return;
    if (role !== 'organizer') throw forbidden('this needs the organizer or admin role');
    const tournament = await this.load(id);
    if (tournament.owner !== caller.id) throw forbidden('only the organizer of this tournament or an admin may do this');
  }

  /** After a command: closes rooms whose match is decided or reset, opens rooms for matches that became ready. */
  private async reconcile(outcome: CommandOutcome): Promise<void> {
    const open = outcome.tournament.openRooms();
    for (const roomId of outcome.roomsBefore) if (!open.has(roomId)) await this.closeRoom(roomId);
    await this.openRooms(outcome.tournament);
  }

  private async openRooms(tournament: Tournament): Promise<void> {
    for (const match of tournament.matchesNeedingRooms()) await this.openRoom(tournament, match, undefined);
  }

  /** Opens a room for a ready match (or in place of `replacing`, a room that is gone) and tells its players. */
  private async openRoom(tournament: Tournament, match: MatchNeedingRoom, replacing: string | undefined): Promise<void> {
    const key = `${tournament.id}:${match.matchId}`;
    if (this.opening.has(key)) return;
    this.opening.add(key);
    try {
      const noShowSeconds = tournament.settings.no_show_seconds!;
      const hosted = await this.rooms.createWithReservations({
        name: `${tournament.settings.name}: ${match.matchId}`,
        gameMode: tournament.settings.game_mode!,
        maxPlayers: 2,
        hostId: match.players[0],
        players: match.players.map((key) => ({ key })),
        reservationSeconds: noShowSeconds + RESERVATION_MARGIN_SECONDS,
        holdUntilSeated: true,
        tournamentMatch: { tournamentId: tournament.id, matchId: match.matchId },
      });
      const deadline = this.deps.now() + noShowSeconds * 1000;
      const { applied } = await this.store.execute(tournament.id, SYSTEM_ACTOR, (t) =>
        t.decideRoomOpened(match.matchId, { roomId: hosted.roomId, node: hosted.node, deadline }, replacing),
      );
      if (applied.length === 0) {
        // Another node (or an earlier sweep) was first, or the match moved on meanwhile.
        await this.rooms.remove(hosted.roomId);
        return;
      }
      for (const playerId of match.players) {
        const notice = this.notice(tournament, match.matchId, hosted.roomId, playerId, deadline);
        await this.cache.publish(TOURNAMENT_CHANNEL, JSON.stringify({ player_id: playerId, notice }));
      }
    } finally {
      this.opening.delete(key);
    }
  }

  private notice(tournament: Tournament, matchId: string, roomId: string, playerId: string, deadline: number): MatchReadyNotice {
    const { series, bestOf } = tournament.findMatch(matchId);
    const opponent = series?.players.find((id) => id !== playerId) ?? '';
    return {
      type: 'tournament_match_ready',
      tournament_id: tournament.id,
      match_id: matchId,
      room_id: roomId,
      opponent_id: opponent,
      best_of: bestOf,
      join_deadline: new Date(deadline).toISOString(),
    };
  }

  /** Sends the room's players out (they hear room_left) and disposes of it. */
  private async closeRoom(roomId: string): Promise<void> {
    try {
      const room = await this.rooms.describe(roomId);
      for (const player of room.players) await this.rooms.leave(roomId, player.id);
      await this.rooms.remove(roomId);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'room_not_found')) throw error;
    }
  }

  private async sweep(): Promise<void> {
    const now = this.deps.now();
    for (const id of await this.store.dueToStart(now)) await this.safely(id, () => this.startAs(id, SYSTEM_ACTOR, undefined));
    // The first sweep of a run checks at once: rooms of matches in progress when the last run died are gone.
    const checkLostRooms = this.sweeps++ % LOST_ROOM_CHECK_EVERY === 0;
    for (const id of await this.store.running()) {
      await this.safely(id, async () => {
        const tournament = await this.store.load(id);
        await this.openRooms(tournament);
        for (const [roomId, room] of tournament.openRooms()) {
          // Only the node hosting a room can tell whether it still exists.
          if (room.node !== this.deps.node) continue;
          const overdue = !room.attended && room.deadline <= now;
          if (overdue || checkLostRooms) await this.checkRoom(tournament, roomId, room, overdue);
        }
      });
    }
  }

  /** A room past its join deadline: who is seated decides the no-shows. A room that is gone is replaced. */
  private async checkRoom(tournament: Tournament, roomId: string, room: { matchId: string; players: [string, string] }, overdue: boolean): Promise<void> {
    let present: Set<string>;
    try {
      present = new Set((await this.rooms.describe(roomId)).players.map((player) => player.id));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'room_not_found')) throw error;
      const { bestOf } = tournament.findMatch(room.matchId);
      await this.openRoom(tournament, { matchId: room.matchId, players: room.players, bestOf }, roomId);
      return;
    }
    if (overdue) await this.store.execute(tournament.id, SYSTEM_ACTOR, (t) => t.decideAttendance(room.matchId, roomId, present));
  }

  private async safely(id: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.deps.logger.warn({ err: error, tournament: id }, 'tournament sweep step failed');
    }
  }
}
