import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  EntityId,
  MatchReport,
  PlayerRole,
  ReopenRequest,
  ReopenResult,
  Role,
  TournamentDetails,
  TournamentEvents,
  TournamentList,
  TournamentSettings,
  TournamentStatus,
  StartTournamentRequest,
  WithdrawRequest,
} from '../../api/index.js';
import type { AuditLog, AuditRecord } from '../../admin/index.js';
import type { AuthService, Roles } from '../../auth/index.js';
import type { Caller, TournamentService } from '../../tournaments/index.js';
import { bearerSecurity, requireAccessToken } from '../bearer.js';
import { Digits, errorResponses } from '../schemas.js';

const TournamentParams = Type.Object({ id: EntityId });
const MatchParams = Type.Object({ id: EntityId, match: Type.String({ minLength: 1, maxLength: 32 }) });
const details = { 200: TournamentDetails, ...errorResponses };

const callerOf = (request: FastifyRequest): Caller => ({ id: request.player!.playerId, name: request.player!.displayName });

/**
 * /api/tournaments: reading is public; taking part needs a token; running one needs the organizer role (its own
 * tournaments) or admin. /api/players/:id/role: roles, granted by admins.
 */
export function tournamentRoutes(deps: { auth: AuthService; tournaments: TournamentService; roles: Roles; audit: AuditLog }): FastifyPluginAsyncTypebox {
  const { tournaments, roles, audit } = deps;
  /** Operators' changes to a tournament (or a role) go to the audit log once they succeeded. */
  const audited = async <T>(request: FastifyRequest, entry: AuditRecord, result: T): Promise<T> => {
    await audit.record(callerOf(request), entry);
    return result;
  };
  const authenticated = requireAccessToken(deps.auth);
  return async (app) => {
    const tags = ['tournaments'];
    // Commands without a body may still send Content-Type: application/json with an empty one.
    const emptyBody = async (request: FastifyRequest) => {
      request.body ??= {};
    };

    app.get('/api/tournaments', {
      schema: {
        tags,
        summary: 'Tournaments, newest first',
        querystring: Type.Object({
          status: Type.Optional(TournamentStatus),
          game_mode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
          limit: Type.Optional(Digits(3, '1-100, default 20')),
          offset: Type.Optional(Digits(7)),
        }),
        response: { 200: TournamentList, ...errorResponses },
      },
    }, async (request) => {
      const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 20)));
      const list = await tournaments.list({ status: request.query.status, gameMode: request.query.game_mode, limit, offset: Number(request.query.offset ?? 0) });
      return { tournaments: list };
    });

    app.post('/api/tournaments', {
      preHandler: authenticated,
      schema: { tags, summary: 'Create a tournament (organizer or admin)', security: bearerSecurity, body: TournamentSettings, response: { 201: TournamentDetails, ...errorResponses } },
    }, async (request, reply) => reply.code(201).send(await tournaments.create(callerOf(request), request.body)));

    app.get('/api/tournaments/:id', {
      schema: { tags, summary: 'A tournament: entrants, every match so far, standings, final places', params: TournamentParams, response: details },
    }, async (request) => tournaments.get(request.params.id));

    app.get('/api/tournaments/:id/events', {
      schema: {
        tags,
        summary: "The tournament's event log; replaying it rebuilds the tournament",
        params: TournamentParams,
        querystring: Type.Object({ after: Type.Optional(Digits(9, 'Only events after this seq')), limit: Type.Optional(Digits(4, '1-1000, default 100')) }),
        response: { 200: TournamentEvents, ...errorResponses },
      },
    }, async (request) => {
      const limit = Math.min(1000, Math.max(1, Number(request.query.limit ?? 100)));
      return { events: await tournaments.events(request.params.id, Number(request.query.after ?? 0), limit) };
    });

    const playerCommand = (path: string, summary: string, run: (id: string, caller: Caller) => Promise<TournamentDetails>) =>
      app.post(path, {
        preHandler: authenticated,
        preValidation: emptyBody,
        schema: { tags, summary, security: bearerSecurity, params: TournamentParams, body: Type.Object({}, { additionalProperties: false }), response: details },
      }, async (request) => run(request.params.id, callerOf(request)));

    playerCommand('/api/tournaments/:id/register', 'Register (past max_entrants: the waitlist)', (id, caller) => tournaments.register(id, caller));
    playerCommand('/api/tournaments/:id/check-in', 'Check in during the check-in window', (id, caller) => tournaments.checkIn(id, caller));
    playerCommand('/api/tournaments/:id/process-check-ins', 'Drop entrants who did not check in; the waitlist moves up (organizer)', (id, caller) =>
      tournaments.processCheckIns(id, caller),
    );

    app.delete('/api/tournaments/:id/register', {
      preHandler: authenticated,
      schema: { tags, summary: 'Unregister before the start', security: bearerSecurity, params: TournamentParams, response: details },
    }, async (request) => tournaments.unregister(request.params.id, callerOf(request)));

    app.post('/api/tournaments/:id/start', {
      preHandler: authenticated,
      preValidation: emptyBody,
      schema: {
        tags,
        summary: 'Start now (organizer); every ready match gets a room for its two players',
        security: bearerSecurity,
        params: TournamentParams,
        body: StartTournamentRequest,
        response: details,
      },
    }, async (request) =>
      audited(request, { action: 'tournament.start', targetType: 'tournament', targetId: request.params.id, ...(request.body.seeds ? { details: { seeds: request.body.seeds } } : {}) },
        await tournaments.startTournament(request.params.id, callerOf(request), request.body.seeds)),
    );

    app.post('/api/tournaments/:id/matches/:match/report', {
      preHandler: authenticated,
      schema: {
        tags,
        summary: "Set a match's result (organizer); the same report twice is harmless",
        security: bearerSecurity,
        params: MatchParams,
        body: MatchReport,
        response: details,
      },
    }, async (request) =>
      audited(request, { action: 'tournament.report', targetType: 'tournament', targetId: request.params.id, details: { match: request.params.match, ...request.body } },
        await tournaments.report(request.params.id, callerOf(request), request.params.match, request.body)),
    );

    app.post('/api/tournaments/:id/matches/:match/reopen', {
      preHandler: authenticated,
      preValidation: emptyBody,
      schema: {
        tags,
        summary: 'Reopen a finished match (organizer): without confirm, only lists the dependent matches it would reset',
        security: bearerSecurity,
        params: MatchParams,
        body: ReopenRequest,
        response: { 200: ReopenResult, ...errorResponses },
      },
    }, async (request) => {
      const options = { confirm: request.body.confirm === true, replay: request.body.replay === true };
      const result = await tournaments.reopen(request.params.id, callerOf(request), request.params.match, options);
      // Without confirm nothing changed: only a preview.
      if (!options.confirm) return result;
      return audited(request, { action: 'tournament.reopen', targetType: 'tournament', targetId: request.params.id, details: { match: request.params.match, replay: options.replay } }, result);
    });

    app.post('/api/tournaments/:id/withdraw', {
      preHandler: authenticated,
      preValidation: emptyBody,
      schema: {
        tags,
        summary: 'Withdraw (every remaining match is forfeited); an organizer may withdraw a player (disqualify)',
        security: bearerSecurity,
        params: TournamentParams,
        body: WithdrawRequest,
        response: details,
      },
    }, async (request) => tournaments.withdraw(request.params.id, callerOf(request), request.body.player_id));

    const PlayerParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
    app.get('/api/players/:id/role', {
      preHandler: authenticated,
      schema: { tags: ['players'], summary: "A player's role", security: bearerSecurity, params: PlayerParams, response: { 200: PlayerRole, ...errorResponses } },
    }, async (request) => ({ player_id: request.params.id, role: await roles.of(request.params.id) }));

    app.put('/api/players/:id/role', {
      preHandler: authenticated,
      schema: {
        tags: ['players'],
        summary: "Set a player's role (admin)",
        security: bearerSecurity,
        params: PlayerParams,
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: { 200: PlayerRole, ...errorResponses },
      },
    }, async (request) => {
      const role = await roles.grant(request.player!.playerId, request.params.id, request.body.role);
      return audited(request, { action: 'player.role', targetType: 'player', targetId: request.params.id, details: { role } }, { player_id: request.params.id, role });
    });
  };
}
