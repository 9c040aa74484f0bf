import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuthService, RateLimiter, Roles, TokenIssuer, players } from '../auth/index.js';
import { openCache, type Cache } from '../cache/index.js';
import { VERSION, createLogger, type Config } from '../config/index.js';
import { WebSocketGateway, buildGateway, buildMetricsServer } from '../gateway/index.js';
import { GameModes } from '../games/index.js';
import { Metrics, type MetricsSource } from '../metrics/index.js';
import type { WorkerLink } from '../cluster/index.js';
import { MatchmakingService, openTicketQueue } from '../matchmaking/index.js';
import { GAME_RECORD, LocalRoomRegistry, RoomManager, SqlGameRecorder, TickLoop, gameRecordWriters, type RoomRegistry } from '../rooms/index.js';
import { TournamentService, TournamentStore, tournamentGameWriter } from '../tournaments/index.js';
import { DatabaseUnavailableError, migrate, openDatabase, type Database } from '../store/index.js';
import { Leaderboard } from '../leaderboard/index.js';
import { Leaderboards, openRankIndex } from '../leaderboards/index.js';
import { Outbox, openJournal } from '../outbox/index.js';
import { matchmakingMetrics, outboxMetrics, roomMetrics } from './metrics-hooks.js';
import { matchmakingSettings, ratingPolicy, roomLimits, roomSettings, webSocketSettings } from './settings.js';
import { StandaloneTopology, WorkerTopology, type Topology } from './topology.js';

function jwtSecret(config: Config, logger: Logger): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  logger.warn(
    '!!! JWT_SECRET is not set: using a random secret for this process only. Tokens will not survive a restart ' +
      'and will not work across nodes. Set JWT_SECRET (32+ characters) in production. !!!',
  );
  return randomBytes(32).toString('hex');
}

/** A match seed: any 31-bit integer (the simulation's PRNG takes 32 bits; 31 keeps it a positive SQL integer). */
const newSeed = () => randomInt(2 ** 31);

/** The first wait before writing a deferred record again; it doubles up to OUTBOX_RETRY_MAX. */
const OUTBOX_FIRST_RETRY_MS = 500;
/** How often each process looks for tournament work (rooms to open, join deadlines, lost rooms, start times). */
const TOURNAMENT_SWEEP_MS = 1_000;
/** How long shutdown waits for the outbox to empty; whatever is left stays journaled for the next start. */
const SHUTDOWN_FLUSH_MS = 3_000;

const within = (promise: Promise<void>, ms: number) =>
  Promise.race([promise, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * One GameV1 node (or one process of a multi-process node): opens storage and cache, migrates, and serves the
 * gateway. Everything is built in `start` with plain constructor calls and passed down; nothing lives in
 * module state.
 */
export class GameServer {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly db: Database,
    readonly cache: Cache,
    readonly metrics: Metrics,
    readonly modes: GameModes,
    readonly rooms: RoomRegistry,
    readonly matchmaking: MatchmakingService,
    readonly leaderboard: Leaderboard,
    readonly tournaments: TournamentService,
    private readonly roomManager: RoomManager,
    readonly outbox: Outbox,
    private readonly tickLoop: TickLoop,
    private readonly gateway: FastifyInstance,
    private readonly websockets: WebSocketGateway,
    private readonly metricsServer: FastifyInstance | undefined,
    private readonly topology: Topology,
    /** Where the gateway listens, e.g. http://127.0.0.1:3000. */
    readonly url: string,
  ) {}

  /** `link` is set in a worker process of a multi-process node (WORKERS > 1). */
  static async start(config: Config, logger: Logger = createLogger(config), link?: WorkerLink): Promise<GameServer> {
    const topology: Topology = link ? new WorkerTopology(link) : new StandaloneTopology(config.server.bindAddr);
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
      return await GameServer.serve(config, logger, topology, metrics, db, cache);
    } catch (error) {
      await cache?.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  private static async serve(config: Config, logger: Logger, topology: Topology, metrics: Metrics, db: Database, cache: Cache): Promise<GameServer> {
    const tokens = new TokenIssuer({
      secret: jwtSecret(config, logger),
      accessTokenTtl: config.auth.accessTokenTtl,
      refreshTokenTtl: config.auth.refreshTokenTtl,
    });
    const limiter = new RateLimiter(cache, config.transport.enableRateLimiting, (scope) => metrics.rateLimited.inc({ scope }));
    const auth = new AuthService(
      db,
      cache,
      tokens,
      limiter,
      { perIp: config.auth.rateLimitPerIp, perAccount: config.auth.rateLimitPerAccount, windowSeconds: config.auth.rateLimitWindow },
      (kind, outcome) => metrics.authAttempts.inc({ kind, outcome }),
    );
    const modes = new GameModes();
    const leaderboard = new Leaderboard(db, ratingPolicy(config, modes));
    const roles = new Roles(db, config.auth.adminEmails);
    const tournamentStore = new TournamentStore(db, Date.now);
    const outbox = new Outbox(
      await openJournal(config.database.outboxDir, config.server.nodeName, { logger }),
      {
        ...gameRecordWriters(db, (tx, gameId, results) => leaderboard.rateGameIn(tx, gameId, results)),
        [GAME_RECORD.tournamentGame]: tournamentGameWriter(tournamentStore, logger),
      },
      {
        retry: { initialMs: OUTBOX_FIRST_RETRY_MS, maxMs: config.database.outboxRetryMax * 1000 },
        isUnavailable: (error) => error instanceof DatabaseUnavailableError,
        now: Date.now,
        logger,
        metrics: outboxMetrics(metrics),
      },
    );
    await outbox.start();
    metrics.trackOutbox(outbox);
    const recorder = new SqlGameRecorder(db, outbox, config.server.nodeName, Date.now, logger);
    // Once what the journal held from before a restart is written, the games that run left open are closed.
    const startedAt = Date.now();
    void outbox
      .drained()
      .then(() => recorder.closeOrphans(startedAt))
      .then((orphans) => {
        if (orphans > 0) logger.warn({ games: orphans }, `closed ${orphans} games a previous run left in progress (aborted, server_restarted)`);
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'closing games a previous run left in progress failed'));
    const roomManager = new RoomManager(modes, roomSettings(config), roomLimits(config, topology.roomIdSuffix), {
      recorder,
      logger,
      now: Date.now,
      seed: newSeed,
      metrics: roomMetrics(metrics),
    });
    metrics.trackRooms(roomManager);
    const tickLoop = new TickLoop(
      config.game.tickRate,
      (slice) => roomManager.tickSlice(slice),
      (seconds) => metrics.tickDuration.observe(seconds),
      roomManager.slices,
    );
    const rooms = topology.registry(new LocalRoomRegistry(roomManager, config.server.nodeName), logger);
    const matchmaking = new MatchmakingService(openTicketQueue(cache), rooms, modes, cache, matchmakingSettings(config), {
      node: config.server.nodeName,
      logger,
      now: Date.now,
      metrics: matchmakingMetrics(metrics),
    });
    tournamentStore.onCommitted(async ({ applied }) => {
      for (const { event } of applied) metrics.tournamentEvents.inc({ type: event.type });
    });
    const tournaments = new TournamentService(tournamentStore, rooms, cache, { sweepMs: TOURNAMENT_SWEEP_MS }, {
      modes: { default: modes.default.name, has: (name) => modes.has(name) },
      ratingOf: (playerId, gameMode) => leaderboard.ratingOf(playerId, gameMode),
      roleOf: (playerId) => roles.of(playerId),
      node: config.server.nodeName,
      logger,
      now: Date.now,
      seed: newSeed,
    });
    const metricsSource = topology.metricsSource(metrics);
    const gateway = await buildGateway({
      auth,
      rooms,
      modes,
      seatLimit: (gameMode) => roomManager.seatLimit(gameMode),
      matchmaking,
      leaderboard,
      leaderboards: new Leaderboards(db, openRankIndex(cache)),
      tournaments,
      roles,
      db,
      cache,
      outbox,
      metrics,
      metricsSource,
      logger,
      nodeName: config.server.nodeName,
      trustProxy: config.server.trustProxy,
      enableMetrics: config.monitoring.enableMetrics,
      version: VERSION,
    });
    const websockets = new WebSocketGateway(gateway.server, webSocketSettings(config), {
      auth,
      rooms,
      metrics,
      logger,
      cache,
      setOnline: (playerId, online) => players.setOnline(db, playerId, online),
      noticesOnConnect: (playerId) => tournaments.noticesFor(playerId),
    });
    await websockets.start();
    matchmaking.onMatchFound((playerId, notice) => websockets.sendToPlayer(playerId, { type: 'match_found', ...notice }));
    matchmaking.onMatchCancelled((playerId, roomId, requeued) =>
      websockets.sendToPlayer(playerId, { type: 'match_cancelled', room_id: roomId, reason: 'player_missing', requeued }),
    );
    tournaments.onMatchReady((playerId, notice) => websockets.sendToPlayer(playerId, notice));
    const url = await topology.listen(gateway);
    tickLoop.start();
    await matchmaking.start();
    await tournaments.start();
    const metricsServer = await GameServer.startMetricsServer(config, metricsSource, logger);
    topology.ready(logger, url, { database: db.backend, cache: cache.backend });
    return new GameServer(
      config,
      logger,
      db,
      cache,
      metrics,
      modes,
      rooms,
      matchmaking,
      leaderboard,
      tournaments,
      roomManager,
      outbox,
      tickLoop,
      gateway,
      websockets,
      metricsServer,
      topology,
      url,
    );
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
      await this.tournaments.stop();
      await this.matchmaking.stop();
      this.tickLoop.stop();
      await this.websockets.close();
      await this.roomManager.close();
      await within(this.outbox.drained(), SHUTDOWN_FLUSH_MS);
      await this.outbox.stop();
      await Promise.all([this.gateway.close(), this.metricsServer?.close()]);
      this.topology.close();
      await Promise.allSettled([this.cache.close(), this.db.close()]);
      this.logger.info('shutdown complete');
    })();
    return this.closing;
  }
}
