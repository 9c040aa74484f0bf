/**
 * The Worker API's requests and responses, mirroring proto/worker.proto field for field (snake_case, as the
 * proto and the rest of GameV1's wire). Requests are schemas because the server validates every one; the server
 * and the client both use these types.
 */
import { Type, type Static } from 'typebox';
import { ClientMessageSchemas, type RoomInfo, type RoomPlayer } from '../protocol/index.js';

// PushInput takes the WebSocket game_input's own schemas, so both paths accept exactly the same inputs.
const { room_id: RoomId, sequence, input } = ClientMessageSchemas.game_input.properties;
const PlayerId = Type.String({ minLength: 1, maxLength: 64 });
const Seat = Type.Object({ room_id: RoomId, player_id: PlayerId });
const Empty = Type.Object({});

export const WorkerRequests = {
  CreateRoom: Type.Object({
    room_name: Type.String({ minLength: 1, maxLength: 64 }),
    game_mode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    // The upper bound depends on the mode: the room manager checks it.
    max_players: Type.Integer({ minimum: 1 }),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    host_id: PlayerId,
    // proto3 leaves empty lists, false and absent messages off the wire: they arrive as [], false and null.
    reserved: Type.Optional(Type.Array(Type.Object({ player_id: PlayerId, rating: Type.Optional(Type.Number()) }), { maxItems: 256 })),
    reservation_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    hold_until_seated: Type.Optional(Type.Boolean()),
    tournament_match: Type.Optional(
      Type.Union([Type.Null(), Type.Object({ tournament_id: Type.String({ minLength: 1, maxLength: 64 }), match_id: Type.String({ minLength: 1, maxLength: 64 }) })]),
    ),
  }),
  RemoveRoom: Type.Object({ room_id: RoomId }),
  JoinRoom: Seat,
  LeaveRoom: Seat,
  PushInput: Type.Object({ room_id: RoomId, player_id: PlayerId, sequence, input }),
  GetRoomSnapshot: Type.Object({ room_id: RoomId }),
  ListRooms: Type.Object({ game_mode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })), joinable: Type.Optional(Type.Boolean()) }),
  Health: Empty,
  Drain: Empty,
  ReportLoad: Empty,
};

export type WorkerRpc = keyof typeof WorkerRequests;
export type WorkerRequest<R extends WorkerRpc> = Static<(typeof WorkerRequests)[R]>;

export type CreateRoomRequest = WorkerRequest<'CreateRoom'>;
export type RemoveRoomRequest = WorkerRequest<'RemoveRoom'>;
export type SeatRequest = WorkerRequest<'JoinRoom'>;
export type PushInputRequest = WorkerRequest<'PushInput'>;
export type GetRoomSnapshotRequest = WorkerRequest<'GetRoomSnapshot'>;
export type ListRoomsRequest = WorkerRequest<'ListRooms'>;

export type ServingStatus = 'SERVING' | 'DRAINING' | 'NOT_SERVING';

export interface WorkerResponses {
  /** `node`: where the room's players connect. */
  CreateRoom: { room: RoomInfo; node: string };
  RemoveRoom: Record<string, never>;
  JoinRoom: { room: RoomInfo };
  LeaveRoom: { room_id: string; left: boolean };
  PushInput: Record<string, never>;
  /** `snapshot_json`: a JsonSnapshot as JSON text, what a JSON connection's game_snapshot carries. */
  GetRoomSnapshot: { room: RoomInfo; players: RoomPlayer[]; tick: number; snapshot_json: string };
  ListRooms: { rooms: RoomInfo[] };
  Health: { status: ServingStatus; node: string; version: string };
  /** `rooms`: still playing here when the drain began. */
  Drain: { rooms: number };
  /** `ticks` and `tick_seconds` only grow: a window's mean tick is the ratio of two reports' differences. */
  ReportLoad: { node: string; rooms: number; players: number; tick_rate: number; ticks: number; tick_seconds: number };
}

/** The Worker API as TypeScript: the server implements it over this process's rooms, the client over gRPC. */
export interface WorkerApi {
  createRoom(request: CreateRoomRequest): Promise<WorkerResponses['CreateRoom']>;
  removeRoom(request: RemoveRoomRequest): Promise<WorkerResponses['RemoveRoom']>;
  joinRoom(request: SeatRequest): Promise<WorkerResponses['JoinRoom']>;
  leaveRoom(request: SeatRequest): Promise<WorkerResponses['LeaveRoom']>;
  pushInput(request: PushInputRequest): Promise<WorkerResponses['PushInput']>;
  getRoomSnapshot(request: GetRoomSnapshotRequest): Promise<WorkerResponses['GetRoomSnapshot']>;
  listRooms(request: ListRoomsRequest): Promise<WorkerResponses['ListRooms']>;
  health(): Promise<WorkerResponses['Health']>;
  drain(): Promise<WorkerResponses['Drain']>;
  reportLoad(): Promise<WorkerResponses['ReportLoad']>;
}

