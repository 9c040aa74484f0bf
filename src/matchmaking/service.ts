import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Cache } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import type { GameModes } from '../games/index.js';
import type { HostedRoom, RoomRegistry } from '../rooms/index.js';
import { formMatches, queueBuckets, skillWindow, waitedSeconds, type FormedMatch, type PolicySettings, type QueueBucket, type Ticket } from './policy/index.js';
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

export interface MatchmakingSettings {
  policy: PolicySettings;
  /** Seconds matched players have to join their room before the match is called off. */
  joinTimeoutSeconds: number;
  /** Upper bound for a ticket's max_wait_time (MAX_WAIT_TIME). */
  maxWaitSeconds: number;
  /** How often this node tries to form matches. */
  intervalMs: number;
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
  private readonly foundListeners: ((playerId: string, notice: MatchNotice) => void)[] = [];
  private readonly cancelledListeners: ((playerId: string, roomId: string, requeued: boolean) => void)[] = [];

  constructor(
    private readonly queue: TicketQueue,
    private readonly rooms: RoomRegistry,
    private readonly modes: GameModes,
    private readonly cache: Cache,
    private readonly settings: MatchmakingSettings,
    private readonly deps: {
      node: string;
      logger: Logger;
      metrics: MatchmakingMetrics;
      now: () => number;
    },
  ) {
    rooms.onReservationLapsed((roomId) => {
      this.callOff(roomId).catch((error: unknown) => this.deps.logger.error({ err: error, room: roomId }, 'calling off a match failed'));
    });
  }

  /** Hears of every formed match, whichever node formed it, once per player (to tell it `match_found`). */
  onMatchFound(listener: (playerId: string, notice: MatchNotice) => void): void {
    this.foundListeners.push(listener);
  }

  /** Hears of a player whose match was called off here, and whether it is queued again. */
  onMatchCancelled(listener: (playerId: string, roomId: string, requeued: boolean) => void): void {
    this.cancelledListeners.push(listener);
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.cache.subscribe(MATCH_CHANNEL, (message) => {
      let notice: MatchNotice;
      try {
        notice = JSON.parse(message) as MatchNotice;
      } catch {
        this.deps.logger.warn('unreadable message on the match channel');
        return;
      }
      for (const playerId of notice.players) for (const listener of this.foundListeners) listener(playerId, notice);
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
    this.modes.get(request.gameMode);
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
        throw new AppError('conflict', 'already_queued', 'you are already in the matchmaking queue; cancel first to change it');
      }
      throw error;
    }
    return { status: 'queued', ticket };
  }

  async cancel(playerId: string): Promise<Ticket> {
    const ticket = await this.queue.cancel(playerId);
    if (!ticket) throw new AppError('not_found', 'not_queued', 'you are not in the matchmaking queue');
    return ticket;
  }

  async status(playerId: string): Promise<QueueStatus | undefined> {
    return this.queue.status(playerId);
  }

  /** Every queue bucket of the deployment with its size and oldest wait (operators' view). */
  async buckets(): Promise<QueueBucket[]> {
    return queueBuckets(await this.queue.tickets(), this.deps.now());
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
    for (const [gameMode, modeTickets] of byMode(tickets)) {
      if (!this.modes.has(gameMode)) {
        // Queued by a node serving a mode this one does not (a rolling upgrade): it cannot be matched here.
        for (const ticket of modeTickets) await this.settle(ticket, { status: 'invalid', ticket_id: ticket.id, reason: 'unsupported_game_mode' });
        continue;
      }
      const result = formMatches(modeTickets, now, this.policyFor(gameMode));
      for (const ticket of result.timedOut) await this.settle(ticket, { status: 'timeout', ticket_id: ticket.id, waited_seconds: waitedSeconds(ticket, now) });
      for (const { ticket, reason } of result.invalid) await this.settle(ticket, { status: 'invalid', ticket_id: ticket.id, reason });
      if (result.timedOut.length > 0) this.deps.metrics.timedOut(result.timedOut.length);
      for (const match of result.matches) await this.startMatch(match, now);
    }
  }

  /** The node's policy within the player counts the mode can play. */
  private policyFor(gameMode: string): PolicySettings {
    const { policy } = this.settings;
    const mode = this.modes.get(gameMode);
    const minPlayers = Math.max(policy.minPlayers, mode.minPlayers);
    return { ...policy, minPlayers, maxPlayers: Math.max(minPlayers, Math.min(policy.maxPlayers, mode.maxPlayers)) };
  }

  private async startMatch(match: FormedMatch, now: number): Promise<void> {
    const players = playersOf(match);
    const hosted = await this.hostMatch(match);
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
      this.forming.delete(hosted.roomId);
      await this.rooms.remove(hosted.roomId);
      return;
    }
    this.deps.metrics.matchFormed(match, match.tickets.map((t) => waitedSeconds(t, now)));
    const notice: MatchNotice = { room_id: hosted.roomId, node: hosted.node, game_mode: match.gameMode, region: match.region, players };
    await this.cache.publish(MATCH_CHANNEL, JSON.stringify(notice));
  }

  /**
   * Makes the room of a formed match, wherever the registry places it, with seats reserved for exactly its
   * players; a player who does not join within MATCH_JOIN_TIMEOUT calls the match off.
   */
  private async hostMatch(match: FormedMatch): Promise<HostedRoom> {
    const players = match.tickets.flatMap((ticket) => ticket.players.map((p) => ({ key: p.playerId, rating: p.rating })));
    const hosted = await this.rooms.createWithReservations({
      name: `${match.gameMode} match`,
      gameMode: match.gameMode,
      maxPlayers: players.length,
      hostId: players[0]!.key,
      region: match.region,
      players,
      reservationSeconds: this.settings.joinTimeoutSeconds,
    });
    this.forming.set(hosted.roomId, match);
    // Once everybody had the chance to show up, the match is no longer ours to call off.
    setTimeout(() => this.forming.delete(hosted.roomId), (this.settings.joinTimeoutSeconds + 5) * 1000).unref();
    return hosted;
  }

  /**
   * A matched player did not join in time: the match is off. Tickets whose players all showed up go back in
   * the queue with priority (they were dropped through no fault of theirs); the no-shows' tickets end.
   */
  private async callOff(roomId: string): Promise<void> {
    const match = this.forming.get(roomId);
    if (!match) return;
    this.forming.delete(roomId);
    const room = await this.rooms.describe(roomId);
    const present = new Set(room.players.map((player) => player.id));
    for (const playerId of present) await this.rooms.leave(roomId, playerId);
    await this.rooms.remove(roomId);
    const missed = new Map<string, SettledStatus>();
    for (const ticket of match.tickets) {
      if (ticket.players.every((p) => present.has(p.playerId))) {
        void this.requeue(ticket, roomId);
      } else {
        for (const { playerId } of ticket.players) missed.set(playerId, { status: 'cancelled', ticket_id: ticket.id, reason: 'did_not_join' });
      }
    }
    await this.queue.settle(missed);
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
    for (const { playerId } of ticket.players) for (const listener of this.cancelledListeners) listener(playerId, roomId, requeued);
  }

  private async settle(ticket: Ticket, status: SettledStatus): Promise<void> {
    await this.queue.claim([ticket.id], new Map(ticket.players.map((p) => [p.playerId, status])));
  }

  private reportSizes(tickets: readonly Ticket[]): void {
    const sizes = new Map<string, number>();
    for (const bucket of queueBuckets(tickets, this.deps.now())) {
      sizes.set(`${bucket.gameMode}\u0000${bucket.region}`, bucket.size);
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

function byMode(tickets: readonly Ticket[]): Map<string, Ticket[]> {
  const modes = new Map<string, Ticket[]>();
  for (const ticket of tickets) {
    const list = modes.get(ticket.gameMode);
    if (list) list.push(ticket);
    else modes.set(ticket.gameMode, [ticket]);
  }
  return modes;
}

function playersOf(match: FormedMatch): string[] {
  return match.tickets.flatMap((ticket) => ticket.players.map((p) => p.playerId));
}
