import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuthService, Roles } from '../auth/index.js';
import type { TournamentService } from '../tournaments/index.js';
import { tournamentRoutes } from './routes/tournaments.js';
import type { Cache } from '../cache/index.js';
import type { Metrics, MetricsSource } from '../metrics/index.js';
import type { Database } from '../store/index.js';
import { handleError, handleNotFound } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes, metricsRoutes, type OutboxProbe } from './routes/health.js';
import { roomRoutes } from './routes/rooms.js';
import { matchmakingRoutes } from './routes/matchmaking.js';
import type { MatchmakingService } from '../matchmaking/index.js';
import type { Leaderboard } from '../leaderboard/index.js';
import type { Leaderboards } from '../leaderboards/index.js';
import { leaderboardRoutes } from './routes/leaderboard.js';
import { leaderboardsRoutes } from './routes/leaderboards.js';
import { leagueRoutes } from './routes/leagues.js';
import { clusterRoutes } from './routes/cluster.js';
import type { Directory } from '../directory/index.js';
import type { Leagues } from '../leagues/index.js';
import type { GameModes } from '../games/index.js';
import type { RoomRegistry } from '../rooms/index.js';
import type { Autoscaler } from '../autoscaling/index.js';
import { autoscalingRoutes } from './routes/autoscaling.js';
import { gameModeRoutes } from './routes/modes.js';
import { adminRoutes } from './routes/admin.js';
import type { AdminService, AuditLog } from '../admin/index.js';
import { webRoutes } from './static.js';
import { ErrorResponse } from './schemas.js';

export { bearerToken, requireAccessToken } from './bearer.js';
export { WebSocketGateway, CloseCode, publishPlayerExpulsion, publishPlayerNotice, transportOptions, type WebSocketSettings } from './ws/index.js';

export interface GatewayDeps {
  auth: AuthService;
  rooms: RoomRegistry;
  modes: GameModes;
  /** The most players a room of a mode can seat on this node. */
  seatLimit(gameMode: string): number;
  matchmaking: MatchmakingService;
  leaderboard: Leaderboard;
  leaderboards: Leaderboards;
  leagues: Leagues;
  directory: Pick<Directory, 'nodes'>;
  tournaments: TournamentService;
  roles: Roles;
  admin: AdminService;
  /** Where operators' actions are recorded (the admin API's and the tournament organizers'). */
  audit: AuditLog;
  db: Database;
  cache: Cache;
  outbox: OutboxProbe;
  metrics: Metrics;
  /** What /metrics serves: this process's metrics, or every process's on a multi-process node. */
  metricsSource: MetricsSource;
  /** Answers GET /autoscale/recommendation and the Agones webhook. */
  autoscaler: Autoscaler;
  logger: Logger;
  nodeName: string;
  /** True once the node drains (shutting down, or the Worker API's Drain): /healthz answers 503. */
  draining: () => boolean;
  trustProxy: boolean;
  enableMetrics: boolean;
  version: string;
}

/** Counts every response in gamev1_http_requests_total and its latency histogram, labelled by route pattern. */
function instrument(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

function httpServer(logger: Logger, trustProxy = false) {
  return Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request logs would drown a game server's log; requests are counted in metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

/** A listener serving only /metrics, for METRICS_ADDR (e.g. a port only Prometheus can reach). */
export async function buildMetricsServer(metrics: MetricsSource, logger: Logger): Promise<FastifyInstance> {
  const app = httpServer(logger);
  await app.register(metricsRoutes(metrics));
  return app;
}

/** The HTTP API of one node: Fastify with a JSON schema on every route and OpenAPI docs at /docs. */
export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = httpServer(deps.logger, deps.trustProxy);

  app.decorateRequest('player', null);
  // The API speaks JSON only; anything else gets a clear 415 instead of a confusing validation error.
  app.removeContentTypeParser('text/plain');
  // Many clients send Content-Type: application/json on every request. An empty body is then no body, as
  // without the header: routes without one work, and a route that needs one answers validation_error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser<string>('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) done(null, undefined);
    else parseJson(request, body, done);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.addSchema(ErrorResponse);
  instrument(app, deps.metrics);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'GameV1 API',
        version: deps.version,
        description: 'Authoritative multiplayer game backend. Errors are {statusCode, code, message}.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    // Shared schemas keep their $id as their OpenAPI component name.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authRoutes(deps.auth));
  await app.register(roomRoutes({ auth: deps.auth, rooms: deps.rooms, modes: deps.modes, seatLimit: deps.seatLimit }));
  await app.register(matchmakingRoutes({ auth: deps.auth, matchmaking: deps.matchmaking, leaderboard: deps.leaderboard }));
  await app.register(leaderboardRoutes(deps.leaderboard));
  await app.register(leaderboardsRoutes({ auth: deps.auth, leaderboards: deps.leaderboards, roles: deps.roles }));
  await app.register(leagueRoutes({ auth: deps.auth, leagues: deps.leagues }));
  await app.register(clusterRoutes({ auth: deps.auth, roles: deps.roles, directory: deps.directory }));
  await app.register(tournamentRoutes({ auth: deps.auth, tournaments: deps.tournaments, roles: deps.roles, audit: deps.audit }));
  await app.register(adminRoutes({ auth: deps.auth, roles: deps.roles, admin: deps.admin }));
  await app.register(healthRoutes({ db: deps.db, cache: deps.cache, outbox: deps.outbox, nodeName: deps.nodeName, draining: deps.draining }));
  if (deps.enableMetrics) await app.register(metricsRoutes(deps.metricsSource));
  await app.register(autoscalingRoutes(deps.autoscaler));
  await app.register(gameModeRoutes({ modes: deps.modes, seatLimit: deps.seatLimit }));
  await app.register(webRoutes());
  return app;
}
