/** What a node does: `gateway` takes players' connections and API calls, `worker` hosts rooms. */
export type NodeRole = 'gateway' | 'worker';

export interface NodeLoad {
  /** Players connected to the node's rooms. */
  players: number;
  /** Players the node takes at most. */
  capacity: number;
  rooms: number;
  /** Recent tick time over the tick interval: 1 means the tick loop has no time to spare. */
  tickUtilization: number;
}

/** A node as it announces itself. */
export interface NodeRecord {
  id: string;
  roles: readonly NodeRole[];
  region: string;
  /** Where players and gateways reach the node's HTTP and WebSocket endpoints, e.g. http://10.0.0.7:3000. */
  address: string;
  /** The node's gRPC Worker API, host:port; absent on a node that hosts no rooms. */
  workerApi?: string;
  /** A draining node finishes its rooms and takes no new ones. */
  draining: boolean;
  load: NodeLoad;
}

export interface LiveNode extends NodeRecord {
  /** When the node's announcement lapses (ms since the epoch) unless it announces again. */
  expiresAt: number;
}

/** The right to serve a room: held by one node at a time, renewed while it serves. */
export interface RoomLease {
  roomId: string;
  node: string;
  /** Grows by one with every takeover; a node holding an older epoch is fenced off. */
  epoch: number;
  expiresAt: number;
}

/**
 * Which nodes are alive and which node serves each room. Nodes announce themselves for a time to live and
 * vanish when they stop; a room's owner holds a lease that it renews, and a node that finds its renewal
 * refused (another node took the room over with a newer epoch) must stop serving the room at once.
 */
export interface Directory {
  announce(node: NodeRecord, ttlMs: number): Promise<void>;
  /** Removes the node at once (a clean shutdown). */
  withdraw(nodeId: string): Promise<void>;
  /** The nodes whose announcement has not lapsed, by id. */
  nodes(): Promise<LiveNode[]>;
  /**
   * Takes the room for `node`: a room no one holds (epoch 1), one whose lease lapsed (its epoch + 1), or one
   * `node` holds already (renewed). Undefined while another node's lease is live.
   */
  acquire(roomId: string, node: string, ttlMs: number): Promise<RoomLease | undefined>;
  /** Extends the lease if its node still holds its epoch; undefined means fenced off. */
  renew(lease: RoomLease, ttlMs: number): Promise<RoomLease | undefined>;
  /** renew() for many leases in one round trip; one answer per lease, in order. */
  renewAll(leases: readonly RoomLease[], ttlMs: number): Promise<(RoomLease | undefined)[]>;
  /** Gives the room up (it ended); a lease that is no longer held is left alone. */
  release(lease: RoomLease): Promise<void>;
  /**
   * Hands the room on (its node shuts down, its checkpoint written): the lease lapses now instead of going away,
   * so another node takes the room over at once. A lease that is no longer held is left alone.
   */
  lapse(lease: RoomLease): Promise<void>;
  /** The room's live lease, if any. */
  owner(roomId: string): Promise<RoomLease | undefined>;
  /** Rooms whose lease lapsed without a release (their node died): candidates for a takeover. */
  lapsed(limit: number): Promise<RoomLease[]>;
}
