import { Type, type Static } from 'typebox';

/** Team game modes number their teams from 1; free-for-all rooms leave `team` out. */
const Team = Type.Integer({ minimum: 1, description: 'Team number in team game modes; absent in free-for-all rooms' });

/** A seat in a room: the HTTP room details and the WebSocket room messages carry these. */
export const RoomPlayer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  entity_id: Type.Integer(),
  connected: Type.Boolean(),
  team: Type.Optional(Team),
});
export type RoomPlayer = Static<typeof RoomPlayer>;

export const RoomInfo = Type.Object({
  room_id: Type.String(),
  room_name: Type.String(),
  game_mode: Type.String(),
  host_id: Type.String(),
  max_players: Type.Integer(),
  player_count: Type.Integer(),
  status: Type.Union([Type.Literal('waiting'), Type.Literal('playing'), Type.Literal('finished')]),
  created_at: Type.String({ format: 'date-time' }),
});
export type RoomInfo = Static<typeof RoomInfo>;

/** GET /api/rooms/:id: the room with everyone seated in it. */
export const RoomDetails = Type.Intersect([RoomInfo, Type.Object({ players: Type.Array(RoomPlayer) })]);
export type RoomDetails = Static<typeof RoomDetails>;

/** GET /api/rooms/list. */
export const RoomList = Type.Object({ rooms: Type.Array(RoomInfo) });
export type RoomList = Static<typeof RoomList>;

/** One player's line in `match_ended.results` and in the recorded match, best rank first. */
export const MatchResultEntry = Type.Object({
  player_id: Type.String(),
  name: Type.String(),
  score: Type.Integer(),
  deaths: Type.Integer(),
  rank: Type.Integer({ minimum: 1 }),
  team: Type.Optional(Team),
});
export type MatchResultEntry = Static<typeof MatchResultEntry>;

/** One team's line in `match_ended.teams` (team game modes only), best rank first. */
export const TeamResultEntry = Type.Object({
  team: Team,
  score: Type.Integer(),
  deaths: Type.Integer(),
  rank: Type.Integer({ minimum: 1 }),
});
export type TeamResultEntry = Static<typeof TeamResultEntry>;
