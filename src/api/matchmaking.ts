import { Type, type Static } from 'typebox';

/**
 * Where the caller stands in matchmaking, as the queue routes answer it. Only `status` is always there;
 * which other fields come with it depends on the status (queued: ticket and window, matched: room).
 */
export const MatchmakingStatus = Type.Object({
  status: Type.Union([
    Type.Literal('idle'),
    Type.Literal('queued'),
    Type.Literal('matched'),
    Type.Literal('timeout'),
    Type.Literal('invalid'),
    Type.Literal('cancelled'),
  ]),
  ticket_id: Type.Optional(Type.String()),
  game_mode: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  max_wait_time: Type.Optional(Type.Number()),
  waited_seconds: Type.Optional(Type.Number()),
  skill_window: Type.Optional(Type.Number({ description: 'Rating difference this ticket accepts right now' })),
  room_id: Type.Optional(Type.String({ description: 'Matched: the room to join over /ws (a seat is reserved)' })),
  node: Type.Optional(Type.String()),
  players: Type.Optional(Type.Array(Type.String())),
  matched_at: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Boolean({ description: 'Queued ahead of others (dropped from a match that was called off)' })),
});
export type MatchmakingStatus = Static<typeof MatchmakingStatus>;
