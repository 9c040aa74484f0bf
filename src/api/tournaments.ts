import { Type, type Static } from 'typebox';

/** An instant in ISO 8601 (e.g. 2026-12-05T18:00:00Z). */
const instant = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Instant = instant();
const BestOf = Type.Integer({ minimum: 1, maximum: 9, description: 'Games per series; the series is won at ceil(N/2) game wins' });
/** How many of each group (or of a Swiss stage) go on to the next stage. */
const Advance = Type.Integer({ minimum: 1, maximum: 512, description: 'Top K of each group advance to stage 2 (snake-seeded)' });

export const StageSettings = Type.Union([
  Type.Object(
    { format: Type.Literal('single_elimination'), third_place: Type.Optional(Type.Boolean({ description: 'Play a match for 3rd place' })) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      format: Type.Literal('double_elimination'),
      grand_final: Type.Optional(
        Type.Union([Type.Literal('none'), Type.Literal('simple'), Type.Literal('double')], {
          description: 'double: a bracket reset if the losers-bracket champion wins the first grand final. Default: double',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      format: Type.Literal('round_robin'),
      cycles: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: '2: everyone meets twice, sides swapped' })),
      groups: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'Groups of near-equal size, snake-seeded. Default 1' })),
      advance: Type.Optional(Advance),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      format: Type.Literal('swiss'),
      rounds: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'Fixed number of rounds (FIDE style)' })),
      wins_to_advance: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'Thresholds mode (esports style), with losses_to_eliminate' })),
      losses_to_eliminate: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
      advance: Type.Optional(Advance),
    },
    { additionalProperties: false },
  ),
]);
export type StageSettings = Static<typeof StageSettings>;

export const TieBreakName = Type.Union([
  Type.Literal('head_to_head'),
  Type.Literal('buchholz'),
  Type.Literal('buchholz_cut1'),
  Type.Literal('sonneborn_berger'),
  Type.Literal('wins'),
  Type.Literal('seed'),
]);

const Points = Type.Object(
  { win: Type.Number(), draw: Type.Number(), loss: Type.Number(), bye: Type.Number() },
  { additionalProperties: false, description: 'Round-robin and Swiss points per outcome. Default 1 / 0.5 / 0, a bye worth a win' },
);

/** POST /api/tournaments: everything a tournament is made with; it cannot change once created. */
export const TournamentSettings = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    game_mode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Default: the default game mode' })),
    stages: Type.Array(StageSettings, {
      minItems: 1,
      maxItems: 2,
      description: 'One stage, or round-robin/Swiss groups (with `advance`) followed by an elimination stage',
    }),
    min_entrants: Type.Optional(Type.Integer({ minimum: 2, maximum: 1024, description: 'Default 2' })),
    max_entrants: Type.Optional(Type.Integer({ minimum: 2, maximum: 1024, description: 'Registrations beyond it join the waitlist. Default 64' })),
    registration_opens_at: Type.Optional(Instant),
    registration_closes_at: Type.Optional(Instant),
    check_in_opens_at: Type.Optional(instant('Set: entrants must check in; those who did not are dropped at start and the waitlist moves up')),
    check_in_closes_at: Type.Optional(instant('Default: until the start')),
    starts_at: Type.Optional(instant('Started automatically then; without it an organizer starts it')),
    best_of: Type.Optional(BestOf),
    best_of_overrides: Type.Optional(
      Type.Array(
        Type.Object(
          {
            stage: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
            bracket: Type.Optional(Type.String({ maxLength: 32, description: 'winners, losers, grand_final, third_place, group:N, swiss' })),
            from_round: Type.Optional(Type.Integer({ minimum: 1 })),
            best_of: BestOf,
          },
          { additionalProperties: false },
        ),
        { maxItems: 16, description: 'e.g. finals Bo5: {bracket: "grand_final", best_of: 5}; the last matching entry wins' },
      ),
    ),
    no_show_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'Time to join a match room before forfeiting it. Default 300' })),
    seeding: Type.Optional(
      Type.Union([Type.Literal('rating'), Type.Literal('manual'), Type.Literal('registration')], {
        description: "rating: by the players' rating for the game mode (default); manual: `seeds` at start",
      }),
    ),
    points: Type.Optional(Points),
    tie_breaks: Type.Optional(Type.Array(TieBreakName, { maxItems: 6, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type TournamentSettings = Static<typeof TournamentSettings>;

export const TournamentStatus = Type.Union([Type.Literal('registration'), Type.Literal('running'), Type.Literal('finished')]);
export type TournamentStatus = Static<typeof TournamentStatus>;

export const TournamentSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  game_mode: Type.String(),
  status: TournamentStatus,
  owner_id: Type.String(),
  formats: Type.Array(Type.String()),
  entrant_count: Type.Integer(),
  max_entrants: Type.Integer(),
  starts_at: Type.Union([Instant, Type.Null()]),
  created_at: Instant,
});
export type TournamentSummary = Static<typeof TournamentSummary>;

export const TournamentList = Type.Object({ tournaments: Type.Array(TournamentSummary) });
export type TournamentList = Static<typeof TournamentList>;

export const TournamentEntrant = Type.Object({
  player_id: Type.String(),
  name: Type.String(),
  seed: Type.Union([Type.Integer(), Type.Null()], { description: 'Set at start' }),
  checked_in: Type.Boolean(),
  withdrawn: Type.Boolean(),
});
export type TournamentEntrant = Static<typeof TournamentEntrant>;

export const TournamentMatch = Type.Object({
  id: Type.String({ description: 'Stable within its stage, e.g. WB-R2-M1, LB-R1-M2, GF-1, RR-G1-R3-M2, SW-R2-M4' }),
  stage: Type.Integer(),
  bracket: Type.String(),
  round: Type.Integer(),
  state: Type.Union([Type.Literal('waiting'), Type.Literal('ready'), Type.Literal('in_progress'), Type.Literal('done')], {
    description: 'ready: both players known, no room yet; in_progress: its room is open',
  }),
  /** A player id, `bye`, or null while the earlier match is undecided. */
  players: Type.Array(Type.Union([Type.String(), Type.Null()]), { minItems: 2, maxItems: 2 }),
  best_of: Type.Integer(),
  score: Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, description: 'Game wins per side' }),
  winner_id: Type.Union([Type.String(), Type.Null()], { description: 'null: undecided, a draw or a double forfeit' }),
  forfeited: Type.Array(Type.String()),
  room_id: Type.Union([Type.String(), Type.Null()]),
  join_deadline: Type.Union([Instant, Type.Null()]),
});
export type TournamentMatch = Static<typeof TournamentMatch>;

export const TournamentStanding = Type.Object({
  stage: Type.Integer(),
  group: Type.Integer(),
  rank: Type.Integer(),
  player_id: Type.String(),
  points: Type.Number(),
  wins: Type.Integer(),
  draws: Type.Integer(),
  losses: Type.Integer(),
  buchholz: Type.Number(),
});
export type TournamentStanding = Static<typeof TournamentStanding>;

export const TournamentPlacement = Type.Object({ player_id: Type.String(), place: Type.Integer() });
export type TournamentPlacement = Static<typeof TournamentPlacement>;

/** GET /api/tournaments/:id: settings, entrants, every match so far, group standings and (finished) the placements. */
export const TournamentDetails = Type.Intersect([
  TournamentSummary,
  Type.Object({
    settings: TournamentSettings,
    version: Type.Integer({ description: 'Events applied so far' }),
    entrants: Type.Array(TournamentEntrant),
    waitlist: Type.Array(TournamentEntrant),
    stage: Type.Integer({ description: 'The stage being played (0 before start)' }),
    matches: Type.Array(TournamentMatch),
    standings: Type.Array(TournamentStanding),
    placements: Type.Array(TournamentPlacement, { description: 'Final places, best first, once finished' }),
    blocked: Type.Optional(Type.String({ description: 'Why play cannot go on (no valid Swiss pairing) until a match is reopened or a player withdraws' })),
  }),
]);
export type TournamentDetails = Static<typeof TournamentDetails>;

/** One entry of a tournament's event log; replaying the log from the first entry rebuilds the tournament. */
export const TournamentEvent = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  at: Instant,
  actor: Type.String({ description: 'A player id, or `system`' }),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type TournamentEvent = Static<typeof TournamentEvent>;

export const TournamentEvents = Type.Object({ events: Type.Array(TournamentEvent) });
export type TournamentEvents = Static<typeof TournamentEvents>;

/** POST /matches/:match/reopen: what a reopen resets (preview), and whether it was applied. */
export const ReopenResult = Type.Object({
  match_id: Type.String(),
  applied: Type.Boolean(),
  reset: Type.Array(Type.String({ description: 'Dependent matches whose results or rooms are cleared' })),
});
export type ReopenResult = Static<typeof ReopenResult>;

/** A tournament's or a player's id in a path or a body. */
const entityId = (description?: string) => Type.String({ minLength: 1, maxLength: 64, ...(description ? { description } : {}) });
export const EntityId = entityId();

/** POST /:id/start. */
export const StartTournamentRequest = Type.Object(
  { seeds: Type.Optional(Type.Array(EntityId, { maxItems: 1024, description: 'seeding: manual — every entrant, seed 1 first' })) },
  { additionalProperties: false },
);
export type StartTournamentRequest = Static<typeof StartTournamentRequest>;

/** POST /:id/matches/:match/report: any of winner, score and forfeits; the rest follows from them. */
export const MatchReport = Type.Object(
  {
    winner_id: Type.Optional(Type.Union([EntityId, Type.Null()], { description: 'null: a draw (round-robin, Swiss) or a double forfeit' })),
    score: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 99 }), { minItems: 2, maxItems: 2, description: 'Game wins per side, in slot order' })),
    forfeited: Type.Optional(Type.Array(EntityId, { maxItems: 2, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type MatchReport = Static<typeof MatchReport>;

/** POST /:id/matches/:match/reopen. */
export const ReopenRequest = Type.Object(
  {
    confirm: Type.Optional(Type.Boolean({ description: 'true: reset the match and its dependents' })),
    replay: Type.Optional(Type.Boolean({ description: 'true: the match is played again in a new room; false (default): it waits for a report' })),
  },
  { additionalProperties: false },
);
export type ReopenRequest = Static<typeof ReopenRequest>;

/** POST /:id/withdraw. */
export const WithdrawRequest = Type.Object(
  { player_id: Type.Optional(entityId('Organizer only: the player to withdraw (disqualify)')) },
  { additionalProperties: false },
);
export type WithdrawRequest = Static<typeof WithdrawRequest>;

