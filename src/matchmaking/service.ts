import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Cache } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import type { RoomManager } from '../rooms/index.js';
import { formMatches, skillWindow, waitedSeconds, type FormedMatch, type PolicySettings, type Ticket } from './policy/index.js';
import { AlreadyQueuedError, type QueueStatus, type SettledStatus, type TicketQueue } from './queue.js';

/** Published on this channel when a match forms, so the node holding each player's socket can tell it. */
export const MATCH_CHANNEL = 'matchmaking:matches';

export interface MatchNotice {
  room_id: string;
  node: string;
  game_mode: string;
  region: string;
  players: string[];
}

/** Where a formed match's room was made: its id and the node (process) hosting it. */
export interface HostedMatch {
  roomId: string;
  node: string;
}

/**
 * Spreads match rooms over the processes of this host (src/cluster); without it every match the leader
 * forms is hosted by the leader's process.
 */
export interface MatchPlacement {
  /** The sibling process to host the next match, or undefined for this one. */
  next(): number | undefined;
  host(target: number, match: FormedMatch): Promise<HostedMatch>;
  discard(target: number, roomId: string): Promise<void>;
}

export interface MatchmakingSettings {
  policy: PolicySettings;
  /** Seconds matched players have to join their room before the match is called off. */
  joinTimeoutSeconds: number;
  /** Upper bound for a ticket's max_wait_time (MAX_WAIT_TIME). */
  maxWaitSeconds: number;
  /** How often this node tries to form matches. */
  intervalMs: number;
  gameModes: readonly string[];
}

export interface MatchmakingMetrics {
  queueSize(gameMode: string, region: string, size: number): void;
  matchFormed(match: FormedMatch, waitsSeconds: number[]): void;
  timedOut(count: number): void;
}

export interface PlayerRef {
  id: string;
  name: string;
  rating: number;
}

/**
 * Skill-based queues: players enqueue per (game mode, region); about once a second the node holding the
 * leader lease runs the queue policy, creates a room for each formed match with seats reserved for exactly
 * its players, and announces it (status + `match_found` over WebSocket on whichever node has the player).
 */
export class MatchmakingService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private lastSizes = new Map<string, number>();
  /** Matches formed here whose players may still be on their way, by room id. */
  private readonly forming = new Map<string, FormedMatch>();

  constructor(
    private readonly queue: TicketQueue,
    private readonly rooms: RoomManager,
    private readonly cache: Cache,
    private readonly settings: MatchmakingSettings,
    private readonly deps: {
      node: string;
      logger: Logger;
      metrics: MatchmakingMetrics;
      now: () => number;
      /** Delivers `match_found` to the player's socket when it is connected to this node. */
      notify(playerId: string, notice: MatchNotice): void;
      /** Tells a player on this node that its match was called off (and whether it is queued again). */
      cancelled(playerId: string, roomId: string, requeued: boolean): void;
      placement?: MatchPlacement;
    },
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.cache.subscribe(MATCH_CHANNEL, (message) => {
      const notice = JSON.parse(message) as MatchNotice;
      for (const playerId of notice.players) this.deps.notify(playerId, notice);
    });
    this.timer = setInterval(() => {
      this.running ??= this.formRound()
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'matchmaking round failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.settings.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.unsubscribe?.();
  }

  async enqueue(player: PlayerRef, request: { gameMode: string; region: string; maxWaitTime?: number }): Promise<QueueStatus> {
    if (!this.settings.gameModes.includes(request.gameMode)) {
      throw new AppError(400, 'unsupported_game_mode', `game_mode must be one of: ${this.settings.gameModes.join(', ')}`);
    }
    const ticket: Ticket = {
      id: randomUUID(),
      gameMode: request.gameMode,
      region: request.region,
      players: [{ playerId: player.id, rating: player.rating }],
      enqueuedAt: this.deps.now(),
      maxWaitSeconds: Math.min(request.maxWaitTime ?? this.settings.maxWaitSeconds, this.settings.maxWaitSeconds),
      priority: false,
    };
    try {
      await this.queue.enqueue(ticket);
    } catch (error) {
      if (error instanceof AlreadyQueuedError) {
        throw new AppError(409, 'already_queued', 'you are already in the matchmaking queue; cancel first to change it');
      }
      throw error;
    }
    return { status: 'queued', ticket };
  }

  async cancel(playerId: string): Promise<Ticket> {
    const ticket = await this.queue.cancel(playerId);
    if (!ticket) throw new AppError(404, 'not_queued', 'you are not in the matchmaking queue');
    return ticket;
  }

  async status(playerId: string): Promise<QueueStatus | undefined> {
    return this.queue.status(playerId);
  }

  /** The skill window a queued ticket accepts right now, for the status endpoint. */
  windowOf(ticket: Ticket): { waited_seconds: number; skill_window: number } {
    const now = this.deps.now();
    return { waited_seconds: waitedSeconds(ticket, now), skill_window: skillWindow(ticket, now, this.settings.policy) };
  }

  /** One matchmaking round; only the lease holder forms matches, so no player lands in two. */
  async formRound(): Promise<void> {
    const leaseMs = this.settings.intervalMs * 3;
    if (!(await this.queue.lead(this.deps.node, leaseMs))) return;
    const tickets = await this.queue.tickets();
    const now = this.deps.now();
    this.reportSizes(tickets);
    const result = formMatches(tickets, now, this.settings.policy);
    for (const ticket of result.timedOut) await this.settle(ticket, { status: 'timeout', ticket_id: ticket.id, waited_seconds: waitedSeconds(ticket, now) });
    for (const { ticket, reason } of result.invalid) await this.settle(ticket, { status: 'invalid', ticket_id: ticket.id, reason });
    if (result.timedOut.length > 0) this.deps.metrics.timedOut(result.timedOut.length);
    for (const match of result.matches) await this.startMatch(match, now);
  }

  private async startMatch(match: FormedMatch, now: number): Promise<void> {
    const players = playersOf(match);
    const { placement } = this.deps;
    let target = placement?.next();
    let hosted: HostedMatch;
    try {
      hosted = target === undefined ? this.hostMatch(match) : await placement!.host(target, match);
    } catch (error) {
      // The chosen process is restarting: this one hosts the match instead.
      this.deps.logger.warn({ err: error, target }, 'hosting a match elsewhere failed; hosting it here');
      target = undefined;
      hosted = this.hostMatch(match);
    }
    const matchedAt = new Date(now).toISOString();
    const statuses = new Map<string, SettledStatus>(
      players.map((playerId) => [
        playerId,
        {
          status: 'matched',
          ticket_id: match.tickets.find((t) => t.players.some((p) => p.playerId === playerId))!.id,
          room_id: hosted.roomId,
          node: hosted.node,
          players,
          matched_at: matchedAt,
        },
      ]),
    );
    // Claimed atomically: if any ticket was cancelled meanwhile, the room is dropped and the rest wait on.
    if (!(await this.queue.claim(match.tickets.map((t) => t.id), statuses))) {
      await (target === undefined ? this.discardMatch(hosted.roomId) : placement!.discard(target, hosted.roomId));
      return;
    }
    this.deps.metrics.matchFormed(match, match.tickets.map((t) => waitedSeconds(t, now)));
    const notice: MatchNotice = { room_id: hosted.roomId, node: hosted.node, game_mode: match.gameMode, region: match.region, players };
    await this.cache.publish(MATCH_CHANNEL, JSON.stringify(notice));
  }

  /**
   * Makes the room of a formed match in this process, with seats reserved for exactly its players; a player
   * who does not join within MATCH_JOIN_TIMEOUT calls the match off.
   */
  hostMatch(match: FormedMatch): HostedMatch {
    const players = playersOf(match);
    const room = this.rooms.create({
      name: `${match.gameMode} match`,
      gameMode: match.gameMode,
      maxPlayers: players.length,
      hostId: players[0]!,
      region: match.region,
      reservationSeconds: this.settings.joinTimeoutSeconds,
      onReservationLapsed: (roomId) => this.callOff(roomId),
    });
    for (const playerId of players) room.reserve(playerId);
    this.forming.set(room.id, match);
    // Once everybody had the chance to show up, the match is no longer ours to call off.
    setTimeout(() => this.forming.delete(room.id), (this.settings.joinTimeoutSeconds + 5) * 1000).unref();
    return { roomId: room.id, node: this.deps.node };
  }

  /** Drops a hosted match's room before anyone was told about it (its tickets could not be claimed). */
  async discardMatch(roomId: string): Promise<void> {
    this.forming.delete(roomId);
    await this.rooms.remove(roomId);
  }

  /**
   * A matched player did not join in time: the match is off. Tickets whose players all showed up go back in
   * the queue with priority (they were dropped through no fault of theirs); the no-shows' tickets end.
   */
  private callOff(roomId: string): void {
    const match = this.forming.get(roomId);
    if (!match) return;
    this.forming.delete(roomId);
    const room = this.rooms.get(roomId);
    const present = new Set(room.memberIds());
    for (const playerId of present) room.leave(playerId, 'left');
    void this.rooms.remove(roomId);
    const missed = new Map<string, SettledStatus>();
    for (const ticket of match.tickets) {
      if (ticket.players.every((p) => present.has(p.playerId))) {
        void this.requeue(ticket, roomId);
      } else {
        for (const { playerId } of ticket.players) missed.set(playerId, { status: 'cancelled', ticket_id: ticket.id, reason: 'did_not_join' });
      }
    }
    this.queue.settle(missed).catch((error: unknown) => this.deps.logger.error({ err: error }, 'recording a called-off match failed'));
  }

  private async requeue(ticket: Ticket, roomId: string): Promise<void> {
    const fresh: Ticket = { ...ticket, id: randomUUID(), enqueuedAt: this.deps.now(), priority: true };
    let requeued = true;
    try {
      await this.queue.enqueue(fresh);
    } catch (error) {
      requeued = false;
      if (!(error instanceof AlreadyQueuedError)) this.deps.logger.error({ err: error }, 're-queueing a dropped ticket failed');
    }
    for (const { playerId } of ticket.players) this.deps.cancelled(playerId, roomId, requeued);
  }

  private async settle(ticket: Ticket, status: SettledStatus): Promise<void> {
    await this.queue.claim([ticket.id], new Map(ticket.players.map((p) => [p.playerId, status])));
  }

  private reportSizes(tickets: readonly Ticket[]): void {
    const sizes = new Map<string, number>();
    for (const ticket of tickets) {
      const key = `${ticket.gameMode}\u0000${ticket.region}`;
      sizes.set(key, (sizes.get(key) ?? 0) + ticket.players.length);
    }
    // Buckets that emptied since the last round report 0 instead of a stale size.
    for (const key of this.lastSizes.keys()) if (!sizes.has(key)) sizes.set(key, 0);
    for (const [key, size] of sizes) {
      const [gameMode, region] = key.split('\u0000') as [string, string];
      this.deps.metrics.queueSize(gameMode, region, size);
    }
    this.lastSizes = sizes;
  }
}

function playersOf(match: FormedMatch): string[] {
  return match.tickets.flatMap((ticket) => ticket.players.map((p) => p.playerId));
}
