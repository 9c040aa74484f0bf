import { Type, type Static } from 'typebox';

export const LeaderboardId = Type.String({ pattern: '^[a-z0-9][a-z0-9_.:-]{0,63}$', description: '1-64 characters of a-z, 0-9, _ . : -' });

export const LeaderboardDefinition = Type.Object(
  {
    id: LeaderboardId,
    sort_order: Type.Union([Type.Literal('desc'), Type.Literal('asc')], { description: 'desc: higher scores first' }),
    operator: Type.Union([Type.Literal('best'), Type.Literal('set'), Type.Literal('incr'), Type.Literal('decr')], {
      description: 'best keeps the better (score, subscore) of one attempt; set replaces; incr/decr add/subtract',
    }),
    reset_schedule: Type.Optional(Type.String({ maxLength: 100, description: 'Five-field cron in UTC; each fire starts a new period' })),
    duration_seconds: Type.Optional(Type.Integer({ minimum: 1, description: 'Writes accepted this long after each period start' })),
    max_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'Records per period; new players are refused beyond it' })),
  },
  { additionalProperties: false },
);
export type LeaderboardDefinition = Static<typeof LeaderboardDefinition>;

export const LeaderboardPeriod = Type.Object({
  id: Type.Integer({ description: 'Epoch seconds of the period start; 0 on a board that never resets' }),
  start: Type.Union([Type.String(), Type.Null()]),
  end: Type.Union([Type.String(), Type.Null()]),
  closes_at: Type.Union([Type.String(), Type.Null()], { description: 'When writes stop being accepted' }),
});

export const LeaderboardPeriods = Type.Object({
  current: LeaderboardPeriod,
  closed: Type.Array(
    Type.Object({
      id: Type.Integer(),
      start: Type.String(),
      end: Type.String(),
      records: Type.Integer({ description: 'Records the period ended with' }),
      closed_at: Type.String(),
    }),
    { description: 'Ended periods that had records, each closed exactly once (at most 100)' },
  ),
});
export type LeaderboardPeriods = Static<typeof LeaderboardPeriods>;

export const LeaderboardRecord = Type.Object({
  rank: Type.Integer({ description: '1-based; ties: (score, subscore), then first to reach it, then player id' }),
  player_id: Type.String(),
  display_name: Type.String(),
  score: Type.Integer(),
  subscore: Type.Integer(),
  attempts: Type.Integer(),
  updated_at: Type.String(),
  metadata: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
export type LeaderboardRecord = Static<typeof LeaderboardRecord>;

export const LeaderboardPage = Type.Object({
  leaderboard: LeaderboardDefinition,
  period: LeaderboardPeriod,
  records: Type.Array(LeaderboardRecord),
});
export type LeaderboardPage = Static<typeof LeaderboardPage>;

export const LeaderboardList = Type.Object({ leaderboards: Type.Array(LeaderboardDefinition) });

export const ScoreSubmission = Type.Object(
  {
    player_id: Type.String({ format: 'uuid' }),
    score: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    subscore: Type.Optional(Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Up to 2 KB of JSON, kept with the record' })),
  },
  { additionalProperties: false },
);
export type ScoreSubmission = Static<typeof ScoreSubmission>;
