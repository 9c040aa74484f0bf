import type { Ticket } from './policy/index.js';

/** Where a player stands in matchmaking, as the queue stores it; the HTTP routes answer the api's MatchmakingStatus. */
export type QueueStatus =
  | { status: 'queued'; ticket: Ticket }
  | { status: 'matched'; ticket_id: string; room_id: string; node: string; players: string[]; matched_at: string }
  | { status: 'timeout'; ticket_id: string; waited_seconds: number }
  | { status: 'invalid'; ticket_id: string; reason: string }
  | { status: 'cancelled'; ticket_id: string; reason: string };

export type SettledStatus = Exclude<QueueStatus, { status: 'queued' }>;

/** How long a settled status (matched, timeout, invalid) stays readable. */
export const SETTLED_STATUS_TTL_SECONDS = 600;

export class AlreadyQueuedError extends Error {
  override name = 'AlreadyQueuedError';
  constructor(readonly playerId: string) {
    super(`player ${playerId} is already queued`);
  }
}

/**
 * The waiting tickets and each player's status, shared by every node (Redis) or local to one (memory). All
 * changes that must not race between nodes are single atomic operations here.
 */
export interface TicketQueue {
  /** Adds a ticket unless one of its players already has one (AlreadyQueuedError). */
  enqueue(ticket: Ticket): Promise<void>;
  /** Removes the player's ticket (the whole party's); resolves with it, or undefined when none. */
  cancel(playerId: string): Promise<Ticket | undefined>;
  tickets(): Promise<Ticket[]>;
  /**
   * Takes the tickets of a formed match out of the queue and records the players' settled status, all at
   * once and only if every ticket is still waiting (none cancelled or claimed elsewhere meanwhile).
   */
  claim(ticketIds: readonly string[], statuses: ReadonlyMap<string, SettledStatus>): Promise<boolean>;
  status(playerId: string): Promise<QueueStatus | undefined>;
  /** Records settled statuses of players who hold no ticket (e.g. a no-show whose match was called off). */
  settle(statuses: ReadonlyMap<string, SettledStatus>): Promise<void>;
  /** True while this node is the one forming matches; the lease lapses after `ttlMs` unless renewed. */
  lead(node: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Entry {
  ticket: Ticket;
}

/** Single-node queue in memory. */
export class MemoryTicketQueue implements TicketQueue {
  private readonly waiting = new Map<string, Entry>();
  private readonly ticketOfPlayer = new Map<string, string>();
  private readonly settled = new Map<string, { status: SettledStatus; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async enqueue(ticket: Ticket): Promise<void> {
    for (const { playerId } of ticket.players) if (this.ticketOfPlayer.has(playerId)) throw new AlreadyQueuedError(playerId);
    this.waiting.set(ticket.id, { ticket });
    for (const { playerId } of ticket.players) {
      this.ticketOfPlayer.set(playerId, ticket.id);
      this.settled.delete(playerId);
    }
  }

  async cancel(playerId: string): Promise<Ticket | undefined> {
    const ticketId = this.ticketOfPlayer.get(playerId);
    const entry = ticketId ? this.waiting.get(ticketId) : undefined;
    if (!entry) return undefined;
    this.drop(entry.ticket);
    return entry.ticket;
  }

  async tickets(): Promise<Ticket[]> {
    return [...this.waiting.values()].map((entry) => entry.ticket);
  }

  async claim(ticketIds: readonly string[], statuses: ReadonlyMap<string, SettledStatus>): Promise<boolean> {
    if (!ticketIds.every((id) => this.waiting.has(id))) return false;
    for (const id of ticketIds) this.drop(this.waiting.get(id)!.ticket);
    await this.settle(statuses);
    return true;
  }

  async settle(statuses: ReadonlyMap<string, SettledStatus>): Promise<void> {
    const until = this.now() + SETTLED_STATUS_TTL_SECONDS * 1000;
    for (const [playerId, status] of statuses) this.settled.set(playerId, { status, until });
  }

  async status(playerId: string): Promise<QueueStatus | undefined> {
    const ticketId = this.ticketOfPlayer.get(playerId);
    if (ticketId) return { status: 'queued', ticket: this.waiting.get(ticketId)!.ticket };
    const settled = this.settled.get(playerId);
    if (!settled || settled.until <= this.now()) return undefined;
    return settled.status;
  }

  async lead(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.waiting.clear();
  }

  private drop(ticket: Ticket): void {
    this.waiting.delete(ticket.id);
    for (const { playerId } of ticket.players) this.ticketOfPlayer.delete(playerId);
  }
}
