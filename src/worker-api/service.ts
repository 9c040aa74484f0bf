import type { Histogram } from 'prom-client';
import { AppError } from '../errors/index.js';
import { toJsonSnapshot } from '../protocol/index.js';
import { RoomError, type Room, type RoomRegistry } from '../rooms/index.js';
import type {
  CreateRoomRequest,
  GetRoomSnapshotRequest,
  ListRoomsRequest,
  PushInputRequest,
  RemoveRoomRequest,
  SeatRequest,
  ServingStatus,
  WorkerApi,
  WorkerResponses,
} from './types.js';

export interface WorkerServiceDeps {
  /** This process's rooms. */
  rooms: RoomRegistry;
  /** This process's RoomManager: its counts, and its drain, which every way of making a room obeys. */
  host: { readonly roomCount: number; readonly playerCount: number; readonly draining: boolean; drain(): void };
  /** The histogram the tick loop observes each tick cycle into. */
  tickDuration: Histogram;
  defaultGameMode: string;
  /** How long reserved seats wait when CreateRoom does not say. */
  reservationSeconds: number;
  node: string;
  version: string;
  tickRate: number;
  /** Leases a room just made here in the node directory, before CreateRoom answers, so every node finds it. */
  claim(roomId: string): Promise<void>;
}

/** The Worker API over this process's rooms; requests arrive validated (src/worker-api/server.ts). */
export class WorkerService implements WorkerApi {
  private closing = false;

  constructor(private readonly deps: WorkerServiceDeps) {}

  private get status(): ServingStatus {
    return this.closing ? 'NOT_SERVING' : this.deps.host.draining ? 'DRAINING' : 'SERVING';
  }

  async createRoom(request: CreateRoomRequest): Promise<WorkerResponses['CreateRoom']> {
    if (this.closing) throw new AppError('unavailable', 'draining', `node ${this.deps.node} is shutting down: it takes no new rooms`);
    const options = {
      name: request.room_name,
      gameMode: request.game_mode ?? this.deps.defaultGameMode,
      maxPlayers: request.max_players,
      hostId: request.host_id,
      region: request.region,
    };
    const reserved = request.reserved ?? [];
    if (reserved.length === 0) {
      const room = await this.deps.rooms.create(options);
      await this.deps.claim(room.room_id);
      return { room, node: this.deps.node };
    }
    if (reserved.length > request.max_players) throw new AppError('invalid', 'validation_error', `${reserved.length} reserved players do not fit in max_players ${request.max_players}`);
    const { roomId } = await this.deps.rooms.createWithReservations({
      ...options,
      players: reserved.map((player) => ({ key: player.player_id, ...(player.rating !== undefined ? { rating: player.rating } : {}) })),
      reservationSeconds: request.reservation_seconds ?? this.deps.reservationSeconds,
      ...(request.hold_until_seated ? { holdUntilSeated: true } : {}),
      ...(request.tournament_match ? { tournamentMatch: { tournamentId: request.tournament_match.tournament_id, matchId: request.tournament_match.match_id } } : {}),
    });
    await this.deps.claim(roomId);
    const { players: _seated, ...room } = await this.deps.rooms.describe(roomId);
    return { room, node: this.deps.node };
  }

  async removeRoom(request: RemoveRoomRequest): Promise<WorkerResponses['RemoveRoom']> {
    await this.deps.rooms.remove(request.room_id);
    return {};
  }

  async joinRoom(request: SeatRequest): Promise<WorkerResponses['JoinRoom']> {
    return { room: await this.deps.rooms.reserve(request.room_id, request.player_id) };
  }

  async leaveRoom(request: SeatRequest): Promise<WorkerResponses['LeaveRoom']> {
    await this.deps.rooms.leave(request.room_id, request.player_id);
    return { room_id: request.room_id, left: true };
  }

  async pushInput(request: PushInputRequest): Promise<WorkerResponses['PushInput']> {
    const { room_id, player_id, sequence, input } = request;
    (await this.localRoom(room_id)).input(player_id, { type: 'game_input', room_id, sequence, input });
    return {};
  }

  async listRooms(request: ListRoomsRequest): Promise<WorkerResponses['ListRooms']> {
    return { rooms: await this.deps.rooms.list({ ...(request.game_mode !== undefined ? { gameMode: request.game_mode } : {}), joinable: request.joinable ?? false }) };
  }

  async getRoomSnapshot(request: GetRoomSnapshotRequest): Promise<WorkerResponses['GetRoomSnapshot']> {
    const room = await this.localRoom(request.room_id);
    const players = room.players();
    const state = room.state();
    const directory = new Map(players.map((player) => [player.entity_id, player]));
    const snapshot = toJsonSnapshot(state, directory, this.deps.tickRate);
    return { room: room.info(), players, tick: state.tick, snapshot_json: JSON.stringify(snapshot) };
  }

  async health(): Promise<WorkerResponses['Health']> {
    return { status: this.status, node: this.deps.node, version: this.deps.version };
  }

  async drain(): Promise<WorkerResponses['Drain']> {
    this.deps.host.drain();
    return { rooms: this.deps.host.roomCount };
  }

  async reportLoad(): Promise<WorkerResponses['ReportLoad']> {
    const { values } = await this.deps.tickDuration.get();
    const total = (series: '_count' | '_sum') => values.find((value) => value.metricName?.endsWith(series))?.value ?? 0;
    return {
      node: this.deps.node,
      rooms: this.deps.host.roomCount,
      players: this.deps.host.playerCount,
      tick_rate: this.deps.tickRate,
      ticks: total('_count'),
      tick_seconds: total('_sum'),
    };
  }

  /** Health says NOT_SERVING from here on (the process is shutting down). */
  stopServing(): void {
    this.closing = true;
  }

  private async localRoom(roomId: string): Promise<Room> {
    const location = await this.deps.rooms.locate(roomId);
    // Another process's or node's room is not this process's to play.
    if (location.kind !== 'here') throw new RoomError('room_not_found', `room ${roomId} is not hosted by this process`);
    return location.room;
  }
}
