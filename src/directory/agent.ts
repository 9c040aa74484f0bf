import type { Directory, NodeRecord, RoomLease } from './types.js';

export interface AgentTimings {
  /** How long an announcement lives; a node that stops beating vanishes this long after its last beat. */
  nodeTtlMs: number;
  /** How long a room lease lives without renewal: the longest a dead owner's room stays unclaimed. */
  leaseTtlMs: number;
}

/** The rooms this process serves, as the agent sees them. */
export interface ServedRooms {
  ids(): readonly string[];
  /** Called when another node holds the room: this process must stop serving it at once. */
  stopServing(roomId: string): Promise<void>;
}

export interface AgentEvents {
  fenced(roomId: string, holder: RoomLease | undefined): void;
}

/**
 * This node's side of the directory, run on a timer (`beat`, well inside both time-to-lives): announces the
 * node with its current load, takes a lease on every room it starts serving, renews the leases of the rooms it
 * serves, gives up the leases of rooms that ended, and stops serving any room whose lease it finds taken.
 */
export class DirectoryAgent {
  private readonly held = new Map<string, RoomLease>();

  constructor(
    private readonly directory: Directory,
    private readonly self: () => NodeRecord,
    private readonly rooms: ServedRooms,
    private readonly timings: AgentTimings,
    private readonly events: AgentEvents,
  ) {}

  async beat(): Promise<void> {
    const node = this.self();
    await this.directory.announce(node, this.timings.nodeTtlMs);
    // Both read at one instant: a room claimed while this beat runs is served and held, never released here.
    const serving = new Set(this.rooms.ids());
    const ended = [...this.held].filter(([roomId]) => !serving.has(roomId));
    for (const [roomId, lease] of ended) {
      this.held.delete(roomId);
      await this.directory.release(lease);
    }
    // Every held lease renewed in one round trip; a room not yet held (claimed meanwhile) is taken one by one.
    const renewing = [...serving].flatMap((roomId) => {
      const held = this.held.get(roomId);
      return held ? [held] : [];
    });
    const renewed = await this.directory.renewAll(renewing, this.timings.leaseTtlMs);
    const lost = new Set<string>();
    for (let i = 0; i < renewing.length; i++) {
      const lease = renewed[i];
      if (lease) this.held.set(lease.roomId, lease);
      else {
        lost.add(renewing[i]!.roomId);
        await this.lose(renewing[i]!.roomId);
      }
    }
    for (const roomId of serving) {
      if (this.held.has(roomId) || lost.has(roomId)) continue;
      const lease = await this.directory.acquire(roomId, node.id, this.timings.leaseTtlMs);
      if (lease) this.held.set(roomId, lease);
      else await this.lose(roomId);
    }
  }

  /**
   * Takes the lease of a room just made here at once, so other nodes can find it before the next beat (the
   * beat would take it too). A room another node holds is refused: this process must not serve it.
   */
  async claim(roomId: string): Promise<void> {
    const lease = await this.directory.acquire(roomId, this.self().id, this.timings.leaseTtlMs);
    if (lease) this.held.set(roomId, lease);
    else await this.lose(roomId);
  }

  /** Another node holds the room: report who, and stop serving it. */
  private async lose(roomId: string): Promise<void> {
    this.held.delete(roomId);
    this.events.fenced(roomId, await this.directory.owner(roomId));
    await this.rooms.stopServing(roomId);
  }

  /** The lease held on a room served here, if any. */
  leaseOf(roomId: string): RoomLease | undefined {
    return this.held.get(roomId);
  }

  /** Keeps renewing a lease taken elsewhere in this process (a room taken over from a dead node). */
  adopt(lease: RoomLease): void {
    this.held.set(lease.roomId, lease);
  }

  /** Shutting down with the rooms checkpointed: every lease lapses now, for other nodes to take the rooms over. */
  async handOnAll(): Promise<void> {
    for (const lease of this.held.values()) await this.directory.lapse(lease);
    this.held.clear();
  }

  /** A clean shutdown: every lease given up and the node withdrawn, so no one waits for them to lapse. */
  async leave(nodeId: string): Promise<void> {
    for (const lease of this.held.values()) await this.directory.release(lease);
    this.held.clear();
    await this.directory.withdraw(nodeId);
  }
}
