import { Type, type Static } from 'typebox';

/** One game mode this node serves, with what a lobby needs to offer it. */
export const GameModeInfo = Type.Object({
  id: Type.String({ description: 'The game_mode value of rooms, matchmaking and ratings' }),
  default: Type.Boolean({ description: 'The mode of a room created without one' }),
  min_players: Type.Integer({ minimum: 1, description: 'Players a match of the mode needs' }),
  max_players: Type.Integer({ minimum: 1, description: 'Most players a room of the mode seats on this node' }),
  teams: Type.Integer({ minimum: 0, description: '0: free-for-all; else the number of teams' }),
  team_based: Type.Boolean(),
  rating: Type.Union([Type.Literal('elo'), Type.Literal('openskill')], { description: 'How its games are rated' }),
});
export type GameModeInfo = Static<typeof GameModeInfo>;

/** GET /api/game-modes. */
export const GameModeList = Type.Object({ modes: Type.Array(GameModeInfo) });
export type GameModeList = Static<typeof GameModeList>;
