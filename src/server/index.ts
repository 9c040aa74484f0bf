import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuthService, RateLimiter, TokenIssuer, players } from '../auth/index.js';
import { RedisCache, openCache, type Cache } from '../cache/index.js';
import { VERSION, createLogger, urlOf, type Config } from '../config/index.js';
import { WebSocketGateway, buildGateway, buildMetricsServer } from '../gateway/index.js';
import { Metrics, type MetricsSource } from '../metrics/index.js';
import { ClusterMatchPlacement, ClusterMetrics, ClusteredRoomDirectory, type WorkerLink } from '../cluster/index.js';
import { MatchmakingService, MemoryTicketQueue, RedisTicketQueue } from '../matchmaking/index.js';
import { GAME_MODES, LocalRoomDirectory, RoomManager, SqlGameRecorder, TickLoop } from '../rooms/index.js';
import { migrate, openDatabase, type Database } from '../store/index.js';
import { Leaderboard } from '../leaderboard/index.js';
import { DEFAULT_RATING_POLICY } from '../rating/index.js';

function jwtSecret(config: Config, logger: Logger): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  logger.warn(
    '!!! JWT_SECRET is not set: using a random secret for this process only. Tokens will not survive a restart ' +
      'and will not work across nodes. Set JWT_SECRET (32+ characters) in production. !!!',
  );
  return randomBytes(32).toString('hex');
}

/**
 * One GameV1 node: opens storage and cache, migrates, and serves the gateway. Everything is built here with
 * plain constructor calls and passed down; nothing lives in module state.
 */
export class GameServer {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly db: Database,
    readonly cache: Cache,
    readonly metrics: Metrics,
    readonly rooms: RoomManager,
    readonly matchmaking: MatchmakingService,
    readonly leaderboard: Leaderboard,
    private readonly tickLoop: TickLoop,
    private readonly gateway: FastifyInstance,
    private readonly websockets: WebSocketGateway,
    private readonly metricsServer: FastifyInstance | undefined,
    private readonly link: WorkerLink | undefined,
    /** Where the gateway listens, e.g. http://127.0.0.1:3000. */
    readonly url: string,
  ) {}

  /** `link` is set in a worker process of a multi-process node (WORKERS > 1). */
  static async start(config: Config, logger: Logger = createLogger(config), link?: WorkerLink): Promise<GameServer> {
    if (config.server.workerEndpoint || config.server.roomManagerEndpoint) {
      logger.warn('WORKER_ENDPOINT / ROOM_MANAGER_ENDPOINT are set, but this version runs rooms in-process and ignores them');
    }
    const metrics = new Metrics(config.server.nodeName);
    const db = await openDatabase(config.database, {
      onConnectionError: (error) => {
        metrics.dbConnectionErrors.inc();
        logger.warn({ err: error }, 'database connection error');
      },
    });
    let cache: Cache | undefined;
    try {
      const applied = await migrate(db);
      if (applied.length > 0) logger.info({ versions: applied }, 'database migrated');
      cache = await openCache(config.redis, {
        onConnectionError: (error) => {
          metrics.cacheErrors.inc();
          logger.warn({ err: error }, 'cache connection error');
        },
      });
      const tokens = new TokenIssuer({
        secret: jwtSecret(config, logger),
        accessTokenTtl: config.auth.accessTokenTtl,
        refreshTokenTtl: config.auth.refreshTokenTtl,
      });
      const limiter = new RateLimiter(cache, config.transport.enableRateLimiting, (scope) =>
        metrics.rateLimited.inc({ scope }),
      );
      const auth = new AuthService(
        db,
        cache,
        tokens,
        limiter,
        {
          perIp: config.auth.rateLimitPerIp,
          perAccount: config.auth.rateLimitPerAccount,
          windowSeconds: config.auth.rateLimitWindow,
        },
        (kind, outcome) => metrics.authAttempts.inc({ kind, outcome }),
      );
      const leaderboard = new Leaderboard(db, {
        ...DEFAULT_RATING_POLICY,
        elo: { k: config.rating.kFactor, provisionalK: config.rating.provisionalK, provisionalGames: config.rating.provisionalGames },
      });
      const rooms = new RoomManager(
        {
          tickRate: config.game.tickRate,
          snapshotRate: config.game.snapshotRate,
          maxEntities: config.game.maxEntities,
          scoreLimit: config.game.scoreLimit,
          timeLimitSeconds: config.game.timeLimit,
          restartDelaySeconds: config.game.restartDelay,
          reconnectGraceSeconds: config.transport.reconnectGrace,
          reservationSeconds: 60,
        },
        {
          maxPlayersPerRoom: config.transport.maxConnectionsPerRoom,
          emptyRoomTimeoutMs: config.game.emptyRoomTimeout * 1000,
          roomIdSuffix: link?.roomIdSuffix,
        },
        {
          recorder: new SqlGameRecorder(db, (tx, gameId) => leaderboard.rateGameIn(tx, gameId)),
          logger,
          now: Date.now,
          metrics: {
            snapshotSent: (bytes) => {
              metrics.snapshotsSent.value++;
              metrics.snapshotBytes.value += bytes;
            },
            snapshotSkipped: () => metrics.snapshotsSkipped.inc(),
          },
        },
      );
      metrics.trackRooms(rooms);
      const tickLoop = new TickLoop(
        config.game.tickRate,
        (slice) => rooms.tickSlice(slice),
        (seconds) => metrics.tickDuration.observe(seconds),
        rooms.slices,
      );
      let websockets: WebSocketGateway | undefined;
      const placement = link && new ClusterMatchPlacement(link);
      const matchmaking = new MatchmakingService(
        cache instanceof RedisCache ? new RedisTicketQueue(cache.client) : new MemoryTicketQueue(),
        rooms,
        cache,
        {
          policy: {
            minPlayers: config.matchmaking.minPlayersPerMatch,
            maxPlayers: config.matchmaking.maxPlayersPerMatch,
            maxSkillDiff: config.matchmaking.maxSkillDiff,
            initialSkillWindow: config.matchmaking.initialSkillWindow,
            windowGrowthPerSecond: config.matchmaking.windowGrowth,
            enablePriorityQueue: config.matchmaking.enablePriorityQueue,
          },
          maxWaitSeconds: config.matchmaking.maxWaitTime,
          joinTimeoutSeconds: config.matchmaking.joinTimeout,
          intervalMs: config.matchmaking.interval,
          gameModes: GAME_MODES,
        },
        {
          node: config.server.nodeName,
          logger,
          now: Date.now,
          metrics: {
            queueSize: (gameMode, region, size) => metrics.matchmakingQueueSize.set({ game_mode: gameMode, region }, size),
            matchFormed: (match, waits) => {
              const labels = { game_mode: match.gameMode, region: match.region };
              metrics.matchesFormed.inc(labels);
              metrics.matchSkillSpread.observe({ game_mode: match.gameMode }, match.skillSpread);
              for (const wait of waits) metrics.matchmakingWait.observe(labels, wait);
            },
            timedOut: (count) => metrics.matchmakingTimeouts.inc(count),
          },
          notify: (playerId, notice) => websockets?.sendToPlayer(playerId, { type: 'match_found', ...notice }),
          cancelled: (playerId, roomId, requeued) =>
            websockets?.sendToPlayer(playerId, { type: 'match_cancelled', room_id: roomId, reason: 'player_missing', requeued }),
          placement,
        },
      );
      placement?.serve(matchmaking);
      const localRooms = new LocalRoomDirectory(rooms);
      const metricsSource: MetricsSource = link ? new ClusterMetrics(metrics, link) : metrics;
      const gateway = await buildGateway({
        auth,
        rooms: link ? new ClusteredRoomDirectory(localRooms, link) : localRooms,
        matchmaking,
        leaderboard,
        maxPlayersPerRoom: config.transport.maxConnectionsPerRoom,
        db,
        cache,
        metrics,
        metricsSource,
        logger,
        nodeName: config.server.nodeName,
        trustProxy: config.server.trustProxy,
        enableMetrics: config.monitoring.enableMetrics,
        version: VERSION,
      });
      websockets = new WebSocketGateway(
        gateway.server,
        {
          maxConnections: config.transport.maxConnections,
          maxMessageSize: config.transport.maxMessageSize,
          messageRate: config.transport.messageRate,
          messageQueueSize: config.transport.messageQueueSize,
          connectionTimeout: config.transport.connectionTimeout,
          enableCompression: config.transport.enableCompression,
          trustProxy: config.server.trustProxy,
        },
        { auth, rooms, metrics, logger, cache, mover: link, setOnline: (playerId, online) => players.setOnline(db, playerId, online) },
      );
      await websockets.start();
      const ws = websockets;
      link?.onArrival((handle, moved) => ws.adopt(handle, moved));
      const { bindAddr } = config.server;
      if (link) {
        // The primary owns the gateway address and hands connections over; the worker's own loopback port
        // (logged) serves direct checks and gives Node's HTTP server its header and request timeouts.
        await gateway.listen({ host: '127.0.0.1', port: 0, exclusive: true });
        link.onConnection((socket) => {
          gateway.server.emit('connection', socket);
          socket.resume();
        });
      } else {
        await gateway.listen({ host: bindAddr.host, port: bindAddr.port });
      }
      tickLoop.start();
      await matchmaking.start();
      const port = (gateway.server.address() as { port: number }).port;
      const metricsServer = await GameServer.startMetricsServer(config, metricsSource, logger);
      const url = link ? `http://127.0.0.1:${port}` : urlOf(bindAddr, port);
      if (link) {
        link.ready();
        logger.info({ url, database: db.backend, cache: cache.backend }, `worker ${link.index} ready (its own port: ${url})`);
      } else {
        logger.info(
          { url, database: db.backend, cache: cache.backend, docs: `${url}/docs` },
          `GameV1 ${VERSION} listening on ${url} (database: ${db.backend}, cache: ${cache.backend})`,
        );
      }
      return new GameServer(config, logger, db, cache, metrics, rooms, matchmaking, leaderboard, tickLoop, gateway, websockets, metricsServer, link, url);
    } catch (error) {
      await cache?.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  private static async startMetricsServer(config: Config, metrics: MetricsSource, logger: Logger) {
    const address = config.monitoring.metricsAddr;
    if (!config.monitoring.enableMetrics || !address) return undefined;
    const server = await buildMetricsServer(metrics, logger);
    await server.listen({ host: address.host, port: address.port });
    return server;
  }

  /** Stops accepting, lets in-flight requests finish, then closes the pools. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.logger.info('shutting down: draining connections');
      await this.matchmaking.stop();
      this.tickLoop.stop();
      await this.websockets.close();
      await this.rooms.close();
      await Promise.all([this.gateway.close(), this.metricsServer?.close()]);
      this.link?.close();
      await Promise.allSettled([this.cache.close(), this.db.close()]);
      this.logger.info('shutdown complete');
    })();
    return this.closing;
  }
}
