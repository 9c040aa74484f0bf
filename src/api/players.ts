import { Type, type Static } from 'typebox';

/** A player as the API shows it: in every auth response and at GET /auth/me. */
export const Player = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.Union([Type.String(), Type.Null()]),
  display_name: Type.String(),
  is_guest: Type.Boolean(),
  skill_rating: Type.Number(),
  created_at: Type.String({ format: 'date-time' }),
});
export type Player = Static<typeof Player>;

/** What register, login, guest and refresh answer: the player and a fresh token pair. */
export const AuthResult = Type.Object({
  player: Player,
  access_token: Type.String({ description: 'Short-lived JWT for Authorization: Bearer and the WebSocket auth message' }),
  refresh_token: Type.String({ description: 'Single-use token for POST /auth/refresh' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Access token lifetime in seconds' }),
});
export type AuthResult = Static<typeof AuthResult>;

/** What a player may do beyond playing: organizers run their own tournaments; admins run any and grant roles. */
export const Role = Type.Union([Type.Literal('player'), Type.Literal('organizer'), Type.Literal('admin')]);
export type Role = Static<typeof Role>;

/** GET/PUT /api/players/:id/role. */
export const PlayerRole = Type.Object({ player_id: Type.String({ format: 'uuid' }), role: Role });
export type PlayerRole = Static<typeof PlayerRole>;
