import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LeaderboardDefinition, LeaderboardId, LeaderboardList, LeaderboardPage, LeaderboardPeriods, LeaderboardRecord, ScoreSubmission } from '../../api/index.js';
import type { AuthService, Roles } from '../../auth/index.js';
import type { LeaderboardEntry, Leaderboards, Period, LeaderboardDefinition as Definition } from '../../leaderboards/index.js';
import { bearerSecurity, requireAccessToken, requireAdmin } from '../bearer.js';
import { Digits, errorResponses } from '../schemas.js';

const BoardParams = Type.Object({ id: LeaderboardId });
const PageQuery = Type.Object({
  limit: Type.Optional(Digits(3, '1-100, default 20')),
  offset: Type.Optional(Digits(9, 'Ranks to skip')),
  period: Type.Optional(Digits(12, 'An older period by id; default the current one')),
  around: Type.Optional(Type.String({ format: 'uuid', description: "Records around this player's instead of the top" })),
  radius: Type.Optional(Digits(2, 'With around: records above and below, default 5, at most 50')),
  players: Type.Optional(
    Type.String({
      pattern: '^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36}){0,99}$',
      description: 'Only these players (e.g. friends): up to 100 comma-separated ids, in rank order',
    }),
  ),
});

const definitionJson = (definition: Definition): LeaderboardDefinition => ({
  id: definition.id,
  sort_order: definition.sortOrder,
  operator: definition.operator,
  ...(definition.resetSchedule !== undefined ? { reset_schedule: definition.resetSchedule } : {}),
  ...(definition.durationSeconds !== undefined ? { duration_seconds: definition.durationSeconds } : {}),
  ...(definition.maxSize !== undefined ? { max_size: definition.maxSize } : {}),
});

const iso = (date: Date | undefined) => date?.toISOString() ?? null;
const periodJson = (period: Period) => ({ id: period.id, start: iso(period.start), end: iso(period.end), closes_at: iso(period.closesAt) });

const recordJson = (entry: LeaderboardEntry): LeaderboardRecord => ({
  rank: entry.rank,
  player_id: entry.playerId,
  display_name: entry.displayName,
  score: entry.score,
  subscore: entry.subscore,
  attempts: entry.attempts,
  updated_at: entry.updatedAt.toISOString(),
  metadata: entry.metadata,
});

const choiceOf = (period: string | undefined) => (period !== undefined ? { periodId: Number(period) } : {});
const pageJson = (definition: Definition, period: Period, records: LeaderboardEntry[]) => ({
  leaderboard: definitionJson(definition),
  period: periodJson(period),
  records: records.map(recordJson),
});

/**
 * /api/leaderboards: reading is public; creating a board and writing scores needs the admin role, since a
 * score is the server's word (a game server or backend job holds an admin token), never a client's claim.
 */
export function leaderboardsRoutes(deps: { auth: AuthService; leaderboards: Leaderboards; roles: Roles }): FastifyPluginAsyncTypebox {
  const { leaderboards, roles } = deps;
  const authenticated = requireAccessToken(deps.auth);
  return async (app) => {
    const tags = ['leaderboards'];

    app.get('/api/leaderboards', {
      schema: { tags, summary: 'Every leaderboard definition', response: { 200: LeaderboardList, ...errorResponses } },
    }, async () => ({ leaderboards: (await leaderboards.list()).map(definitionJson) }));

    app.post('/api/leaderboards', {
      preHandler: authenticated,
      schema: { tags, summary: 'Create a leaderboard (admin)', security: bearerSecurity, body: LeaderboardDefinition, response: { 201: LeaderboardDefinition, ...errorResponses } },
    }, async (request, reply) => {
      await requireAdmin(roles, request.player!.playerId, 'creating a leaderboard');
      const body = request.body;
      const created = await leaderboards.create({
        id: body.id,
        sortOrder: body.sort_order,
        operator: body.operator,
        ...(body.reset_schedule !== undefined ? { resetSchedule: body.reset_schedule } : {}),
        ...(body.duration_seconds !== undefined ? { durationSeconds: body.duration_seconds } : {}),
        ...(body.max_size !== undefined ? { maxSize: body.max_size } : {}),
      });
      return reply.code(201).send(definitionJson(created));
    });

    app.get('/api/leaderboards/:id', {
      schema: { tags, summary: 'Records of a period: the top, or around one player', params: BoardParams, querystring: PageQuery, response: { 200: LeaderboardPage, ...errorResponses } },
    }, async (request) => {
      const { query } = request;
      const { definition, period } = await leaderboards.periodOf(request.params.id, choiceOf(query.period));
      const choice = { periodId: period.id };
      const records = query.players
        ? await leaderboards.entriesOf(definition.id, query.players.split(','), choice)
        : query.around
          ? await leaderboards.around(definition.id, query.around, Number(query.radius ?? 5), choice)
          : await leaderboards.top(definition.id, { limit: Number(query.limit ?? 20), offset: Number(query.offset ?? 0), ...choice });
      return pageJson(definition, period, records);
    });

    app.get('/api/leaderboards/:id/periods', {
      schema: { tags, summary: 'The current period and the closed ones, newest first', params: BoardParams, response: { 200: LeaderboardPeriods, ...errorResponses } },
    }, async (request) => {
      const { current, closed } = await leaderboards.periods(request.params.id);
      return {
        current: periodJson(current),
        closed: closed.map((period) => ({ id: period.periodId, start: period.start.toISOString(), end: period.end.toISOString(), records: period.records, closed_at: period.closedAt.toISOString() })),
      };
    });

    app.get('/api/leaderboards/:id/me', {
      preHandler: authenticated,
      schema: {
        tags,
        summary: "The caller's record with its neighbours (empty records when the caller has none)",
        security: bearerSecurity,
        params: BoardParams,
        querystring: Type.Object({ period: PageQuery.properties.period, radius: PageQuery.properties.radius }),
        response: { 200: LeaderboardPage, ...errorResponses },
      },
    }, async (request) => {
      const { definition, period } = await leaderboards.periodOf(request.params.id, choiceOf(request.query.period));
      const records = await leaderboards.around(definition.id, request.player!.playerId, Number(request.query.radius ?? 5), { periodId: period.id });
      return pageJson(definition, period, records);
    });

    app.post('/api/leaderboards/:id/scores', {
      preHandler: authenticated,
      schema: {
        tags,
        summary: "Write a player's score to the current period (admin: the server's word)",
        security: bearerSecurity,
        params: BoardParams,
        body: ScoreSubmission,
        response: { 200: LeaderboardRecord, ...errorResponses },
      },
    }, async (request) => {
      await requireAdmin(roles, request.player!.playerId, 'writing a score');
      const { player_id, score, subscore, metadata } = request.body;
      return recordJson(await leaderboards.submit(request.params.id, player_id, { score, subscore: subscore ?? 0 }, metadata));
    });
  };
}
