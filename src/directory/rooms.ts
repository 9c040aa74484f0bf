import { subscribeJson, type Cache } from '../cache/index.js';
import { RoomError, type HostedRoom, type NewRoom, type ReservedRoom, type RoomListFilter, type RoomLocation, type RoomRegistry } from '../rooms/index.js';
import type { RoomDetails, RoomInfo } from '../protocol/index.js';
import type { CreateRoomRequest, WorkerApi } from '../worker-api/index.js';
import { chooseWorker } from './placement.js';
import type { Directory, LiveNode } from './types.js';

/** What this registry needs of the node directory and of this process's place in it. */
export interface CrossNodeDeps {
  directory: Pick<Directory, 'nodes' | 'owner'>;
  /** This process's id in the directory. */
  self: string;
  /** A client of a node's Worker API, by its host:port. */
  workerAt(address: string): WorkerApi;
  /** Leases a room just made here at once (DirectoryAgent.claim). */
  claim(roomId: string): Promise<void>;
  /** False on a gateway (ROLE=gateway): every room goes to a worker, and none can be made when none is up. */
  hostsRooms: boolean;
  /** A room no live node serves: restored here, about to be restored elsewhere, or lost (RoomRescuer.recover). */
  recover?(roomId: string): Promise<'here' | 'pending' | 'lost'>;
  /** Carries reservation-lapse notices from the node hosting a room to whichever node made it (matchmaking). */
  cache: Pick<Cache, 'publish' | 'subscribe'>;
  /** Where a lapse notice that could not be published or read is logged. */
  warn(message: string, error?: unknown): void;
  /** How nodes beat (DirectoryAgent timings): an owner that missed a beat may be dead, and is not sent players. */
  beats: { beatMs: number; nodeTtlMs: number; leaseTtlMs: number; now: () => number; sleep: (ms: number) => Promise<void> };
}

/** Reservation lapses of every node's rooms: `{room_id, player_id}`. */
const LAPSE_CHANNEL = 'rooms:reservation-lapsed';

/** How often a join waits on an owner that missed its beat: dead (its lease lapses) or slow (it beats again). */
const STALE_OWNER_POLL_MS = 100;

/** The WebSocket URL of a node's gateway, from its announced HTTP address. */
const webSocketUrl = (address: string) => `${address.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`;

/** The Worker API's CreateRoom for a room as the registry is asked for it. */
const createRoomRequest = (options: NewRoom): CreateRoomRequest => ({
  room_name: options.name,
  game_mode: options.gameMode,
  max_players: options.maxPlayers,
  host_id: options.hostId,
  ...(options.region !== undefined ? { region: options.region } : {}),
});

const isRoomNotFound = (error: unknown) => error instanceof RoomError && error.code === 'room_not_found';

/**
 * Rooms across the nodes of a deployment, on top of this node's own registry. A new room, open or with seats
 * held for known players (matchmaking, tournaments), goes to the worker the placement rule picks (through that
 * node's Worker API; here when that is this node or no worker can take it, unless this is a gateway); a room
 * this node does not host is found by its lease in the directory, seats on it are held and it is removed
 * through its node's Worker API, a WebSocket join is sent to that node's address, a listing covers every node,
 * and reservation lapses travel to every node. A room no live node serves may be being restored (`recover`).
 */
export class CrossNodeRoomRegistry implements RoomRegistry {
  private readonly lapseListeners: ((roomId: string, playerId: string) => void)[] = [];
  /** Rooms this process placed on other workers, newest last: counted until those workers announce them. */
  private readonly placed: { node: string; at: number }[] = [];

  constructor(
    private readonly local: RoomRegistry,
    private readonly deps: CrossNodeDeps,
  ) {
    local.onReservationLapsed((roomId, playerId) => void this.publishLapse(roomId, playerId));
  }

  /** Starts hearing reservation lapses from every node. */
  async start(): Promise<void> {
    await subscribeJson<{ room_id: string; player_id: string }>(
      this.deps.cache,
      LAPSE_CHANNEL,
      ({ room_id, player_id }) => this.lapsed(room_id, player_id),
      () => this.deps.warn('unreadable message on the reservation-lapse channel'),
    );
  }

  async locate(roomId: string): Promise<RoomLocation> {
    try {
      return await this.local.locate(roomId);
    } catch (error) {
      if (!isRoomNotFound(error)) throw error;
      const owner = await this.ownerOf(roomId);
      if (owner) return { kind: 'remote', node: owner.id, url: webSocketUrl(owner.address) };
      await this.recover(roomId, error);
      return this.local.locate(roomId);
    }
  }

  async create(options: NewRoom): Promise<RoomInfo> {
    const target = await this.placement(options.region);
    if (!target) {
      const room = await this.local.create(options);
      await this.deps.claim(room.room_id);
      return room;
    }
    const { room } = await this.deps.workerAt(target).createRoom(createRoomRequest(options));
    return room;
  }

  async createWithReservations(options: ReservedRoom): Promise<HostedRoom> {
    const target = await this.placement(options.region);
    if (!target) {
      const hosted = await this.local.createWithReservations(options);
      await this.deps.claim(hosted.roomId);
      return hosted;
    }
    const { room, node } = await this.deps.workerAt(target).createRoom({
      ...createRoomRequest(options),
      reserved: options.players.map((player) => ({ player_id: player.key, ...(player.rating !== undefined ? { rating: player.rating } : {}) })),
      reservation_seconds: options.reservationSeconds,
      hold_until_seated: options.holdUntilSeated ?? false,
      tournament_match: options.tournamentMatch ? { tournament_id: options.tournamentMatch.tournamentId, match_id: options.tournamentMatch.matchId } : null,
    });
    return { roomId: room.room_id, node };
  }

  async reserve(roomId: string, playerId: string): Promise<RoomInfo> {
    return this.localOr(roomId, () => this.local.reserve(roomId, playerId), async (worker) => (await worker.joinRoom({ room_id: roomId, player_id: playerId })).room);
  }

  async leave(roomId: string, playerId: string): Promise<void> {
    await this.localOr(roomId, () => this.local.leave(roomId, playerId), async (worker) => {
      await worker.leaveRoom({ room_id: roomId, player_id: playerId });
    });
  }

  async describe(roomId: string): Promise<RoomDetails> {
    return this.localOr(roomId, () => this.local.describe(roomId), async (worker) => {
      const { room, players } = await worker.getRoomSnapshot({ room_id: roomId });
      return { ...room, players };
    });
  }

  /**
   * This node's rooms, then every other live node's (through its Worker API). A node that does not answer is
   * left out of the list rather than failing it: a lobby shows what it can reach.
   */
  async list(filter: RoomListFilter): Promise<RoomInfo[]> {
    const others = (await this.deps.directory.nodes()).filter((node) => node.id !== this.deps.self && node.workerApi);
    const request = { ...(filter.gameMode !== undefined ? { game_mode: filter.gameMode } : {}), joinable: filter.joinable ?? false };
    const [here, ...there] = await Promise.allSettled([
      this.local.list(filter),
      ...others.map(async (node) => (await this.deps.workerAt(node.workerApi!).listRooms(request)).rooms),
    ]);
    if (here!.status === 'rejected') throw here!.reason;
    // The processes of a multi-process node are nodes of their own too: each room once.
    const rooms = new Map<string, RoomInfo>();
    for (const room of [...here!.value, ...there.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []))]) rooms.set(room.room_id, room);
    return [...rooms.values()];
  }

  async remove(roomId: string): Promise<void> {
    if ((await this.local.locate(roomId).catch(() => undefined))?.kind === 'here') return this.local.remove(roomId);
    const owner = await this.ownerOf(roomId);
    if (owner?.workerApi) await this.deps.workerAt(owner.workerApi).removeRoom({ room_id: roomId });
    else await this.local.remove(roomId);
  }

  /** Hears every node's reservation lapses (after start()), for rooms made anywhere. */
  onReservationLapsed(listener: (roomId: string, playerId: string) => void): void {
    this.lapseListeners.push(listener);
  }

  private lapsed(roomId: string, playerId: string): void {
    for (const listener of this.lapseListeners) listener(roomId, playerId);
  }

  /** A lapse in a room this process hosts goes to every node; one that cannot be published is told here. */
  private async publishLapse(roomId: string, playerId: string): Promise<void> {
    const location = await this.local.locate(roomId).catch(() => undefined);
    // A sibling's lapse relayed by a multi-process node: that sibling publishes it.
    if (location?.kind !== 'here') return;
    try {
      await this.deps.cache.publish(LAPSE_CHANNEL, JSON.stringify({ room_id: roomId, player_id: playerId }));
    } catch (error) {
      this.deps.warn('publishing a reservation lapse failed; told to this node only', error);
      this.lapsed(roomId, playerId);
    }
  }

  transfer(...args: Parameters<RoomRegistry['transfer']>): void {
    this.local.transfer(...args);
  }

  onArrival(arrive: Parameters<RoomRegistry['onArrival']>[0]): void {
    this.local.onArrival(arrive);
  }

  /**
   * The Worker API address of the worker a new room goes to, or undefined for this process (the pick, or no
   * worker can take it). A gateway has no "here": without a worker it refuses.
   */
  private async placement(region: string | undefined): Promise<string | undefined> {
    const target = chooseWorker(this.withPlacedRooms(await this.deps.directory.nodes()), region);
    if (target && target.id !== this.deps.self && target.workerApi) {
      this.placed.push({ node: target.id, at: this.deps.beats.now() });
      return target.workerApi;
    }
    if (!this.deps.hostsRooms) throw new RoomError('no_worker', 'no worker can take a room right now (none is up, or all are full or draining); try again');
    return undefined;
  }

  /**
   * Nodes as placement should see them: a worker's announced room count lags up to a beat, so the rooms this
   * process placed there since its last announcement are added (else a burst of creations all lands on one).
   */
  private withPlacedRooms(nodes: LiveNode[]): LiveNode[] {
    const { nodeTtlMs, now } = this.deps.beats;
    while (this.placed.length > 0 && this.placed[0]!.at < now() - nodeTtlMs) this.placed.shift();
    if (this.placed.length === 0) return nodes;
    return nodes.map((node) => {
      const announcedAt = node.expiresAt - nodeTtlMs;
      let extra = 0;
      for (const placement of this.placed) if (placement.node === node.id && placement.at >= announcedAt) extra++;
      return extra === 0 ? node : { ...node, load: { ...node.load, rooms: node.load.rooms + extra } };
    });
  }

  /** `here` on this node's registry; a room it does not know goes to its owner's Worker API when it has one. */
  private async localOr<T>(roomId: string, here: () => Promise<T>, there: (worker: WorkerApi) => Promise<T>): Promise<T> {
    try {
      return await here();
    } catch (error) {
      if (!isRoomNotFound(error)) throw error;
      const owner = await this.ownerOf(roomId);
      if (owner?.workerApi) return there(this.deps.workerAt(owner.workerApi));
      if (owner) throw error;
      await this.recover(roomId, error);
      return here();
    }
  }

  /** A room no live node serves, whose node may have died: returns once it is served here, else throws. */
  private async recover(roomId: string, notFound: unknown): Promise<void> {
    const outcome = this.deps.recover ? await this.deps.recover(roomId) : 'lost';
    if (outcome === 'here') return;
    if (outcome === 'pending') throw new RoomError('room_restoring', `room ${roomId} lost its node and is being restored on another one; try again`);
    throw notFound;
  }

  /**
   * The live node holding the room's lease, when it is another one. An owner that missed a beat is waited on
   * until it beats again or its lease lapses: players are not sent to a node that has likely died (their SDK
   * would fail there and back off), but kept here until the room is restored.
   */
  private async ownerOf(roomId: string): Promise<LiveNode | undefined> {
    const { beatMs, nodeTtlMs, leaseTtlMs, now, sleep } = this.deps.beats;
    const giveUpAt = now() + leaseTtlMs;
    for (;;) {
      const lease = await this.deps.directory.owner(roomId);
      if (!lease || lease.node === this.deps.self) return undefined;
      const node = (await this.deps.directory.nodes()).find((live) => live.id === lease.node);
      const beating = node !== undefined && now() - (node.expiresAt - nodeTtlMs) < 1.5 * beatMs;
      if (beating || now() >= giveUpAt) return node;
      await sleep(STALE_OWNER_POLL_MS);
    }
  }
}
