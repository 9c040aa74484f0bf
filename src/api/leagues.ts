import { Type, type Static } from 'typebox';

export const LeagueRung = Type.Object({
  tier: Type.String(),
  division: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: '4 (IV) … 1 (I); null in an apex tier' }),
});
export type LeagueRung = Static<typeof LeagueRung>;

const Zone = Type.Union([Type.Literal('promotion'), Type.Literal('relegation'), Type.Null()], {
  description: 'The zone the player is in now; at the season end the promotion zone moves up a division, the relegation zone down',
});

export const LeagueSeason = Type.Object({
  id: Type.Integer(),
  starts_at: Type.String(),
  ends_at: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('ended')]),
  members: Type.Integer(),
});

export const LeagueTier = Type.Object({ name: Type.String(), divisions: Type.Integer({ description: '0: an apex tier, ordered by points' }) });

export const LeagueInfo = Type.Object({
  game_mode: Type.String({ description: 'The mode whose rated games award league points' }),
  tiers: Type.Array(LeagueTier, { description: 'Lowest first' }),
  points_per_division: Type.Integer(),
  placement_games: Type.Integer(),
  division_size: Type.Integer({ description: 'Most players in one division group' }),
  season_length_seconds: Type.Integer(),
  seasons: Type.Array(LeagueSeason, { description: 'Newest first' }),
});
export type LeagueInfo = Static<typeof LeagueInfo>;

export const DivisionRow = Type.Object({
  player_id: Type.String(),
  display_name: Type.String(),
  rank: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Among the placed members; null while in placements' }),
  points: Type.Integer(),
  placements_left: Type.Integer(),
  games_played: Type.Integer(),
  zone: Zone,
});
export type DivisionRow = Static<typeof DivisionRow>;

export const LeagueStanding = Type.Object({
  ...DivisionRow.properties,
  season_id: Type.Integer(),
  season_ends_at: Type.String(),
  rung: Type.Union([LeagueRung, Type.Null()], { description: 'null while placement games remain' }),
  division_id: Type.String({ description: 'The division group, for /api/leagues/seasons/{season}/divisions/{division_id}' }),
  division_size: Type.Integer(),
});
export type LeagueStanding = Static<typeof LeagueStanding>;

export const DivisionStandings = Type.Object({
  season_id: Type.Integer(),
  division_id: Type.String(),
  rung: LeagueRung,
  members: Type.Array(DivisionRow, { description: 'Ranked members best first, then those in placements' }),
});
export type DivisionStandings = Static<typeof DivisionStandings>;

export const LeagueHistory = Type.Object({
  seasons: Type.Array(
    Type.Object({
      season_id: Type.Integer(),
      starts_at: Type.String(),
      ends_at: Type.String(),
      division_id: Type.String(),
      rung: Type.Union([LeagueRung, Type.Null()]),
      points: Type.Integer(),
      games_played: Type.Integer(),
      rank: Type.Union([Type.Integer(), Type.Null()]),
      division_size: Type.Integer(),
      movement: Type.Union([Type.Literal('promoted'), Type.Literal('relegated'), Type.Literal('stayed')]),
    }),
    { description: 'Ended seasons, newest first' },
  ),
});
export type LeagueHistory = Static<typeof LeagueHistory>;

/** The WebSocket `league_update` notice's body (docs/protocol.md). */
export interface LeagueUpdate {
  game_mode: string;
  season_id: number;
  kind: 'placed' | 'promoted' | 'relegated';
  /** points: a game moved the player; season_end: the division's zones at the end of `season_id`. */
  reason: 'points' | 'season_end';
  from?: LeagueRung;
  to: LeagueRung;
  points: number;
  /** season_end only: where the next season starts the player, after the soft reset. */
  next_season?: { season_id: number; rung: LeagueRung; points: number };
}
