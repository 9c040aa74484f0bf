import cluster from 'node:cluster';
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuthService, RateLimiter, Roles, TokenIssuer, players } from '../auth/index.js';
import { openCache, type Cache } from '../cache/index.js';
import { VERSION, createLogger, type Config } from '../config/index.js';
import { WebSocketGateway, buildGateway, buildMetricsServer, publishPlayerExpulsion, publishPlayerNotice, transportOptions } from '../gateway/index.js';
import { AdminService, AuditLog } from '../admin/index.js';
import { GameModes } from '../games/index.js';
import { Metrics, type MetricsSource } from '../metrics/index.js';
import { Autoscaler, DirectoryLoad, LocalLoad } from '../autoscaling/index.js';
import { AgonesLifecycle, SidecarSdk } from '../agones/index.js';
import { CrossNodeRoomRegistry, chooseWorker, openDirectory, type Directory } from '../directory/index.js';
import type { WorkerLink } from '../cluster/index.js';
import { MatchmakingService, openTicketQueue } from '../matchmaking/index.js';
import { GAME_RECORD, LocalRoomRegistry, RoomManager, SqlGameRecorder, TickLoop, gameRecordWriters, type RoomRegistry } from '../rooms/index.js';
import { TournamentService, TournamentStore, tournamentGameWriter } from '../tournaments/index.js';
import { DatabaseUnavailableError, migrate, openDatabase, type Database } from '../store/index.js';
import { Leaderboard } from '../leaderboard/index.js';
import { LeaderboardSweep, Leaderboards, RatingBoards, openRankIndex } from '../leaderboards/index.js';
import { Outbox, openJournal } from '../outbox/index.js';
import { Leagues, type LeagueNotice } from '../leagues/index.js';
import { WorkerApiServer, WorkerClients } from '../worker-api/index.js';
import { leagueUpdate, rateFinishedGame } from './finished-games.js';
import { BEAT_MS, TIMINGS, directoryAgent, startBeating } from './node-directory.js';
import { RoomCheckpointer, RoomRescuer, openCheckpointStore } from '../recovery/index.js';
import { PeriodicTask } from './periodic.js';
import { leaderboardEvents, matchmakingMetrics, outboxMetrics, recoveryMetrics, roomMetrics } from './metrics-hooks.js';
import { leagueSettings, matchmakingSettings, ratingPolicy, roomLimits, roomSettings, webSocketSettings } from './settings.js';
import { StandaloneTopology, WorkerTopology, type Topology } from './topology.js';

/** A port free on `host` right now, found outside the cluster's shared listening. */
async function exclusiveFreePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen({ host, port: 0, exclusive: true }, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

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
/** How often each process closes ended leaderboard periods (and, every so many rounds, checks the indexes). */
const LEADERBOARD_SWEEP_MS = 5_000;
/** How often each process looks whether the league season has ended (one node then rolls it over). */
const LEAGUE_ROLLOVER_CHECK_MS = 5_000;
/** How often each process looks for rooms whose node died, and how long it leaves them to the least loaded node. */
const RESCUE_SWEEP_MS = 1_000;
const RESCUE_GRACE_MS = 2_000;
/** How long shutdown waits for the outbox to empty; whatever is left stays journaled for the next start. */
const SHUTDOWN_FLUSH_MS = 3_000;

const within = (promise: Promise<void>, ms: number) =>
  Promise.race([promise, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * One GameV1 node (or one process of a multi-process node): opens storage and cache, migrates, and serves the
 * gateway. Everything is built in `start` with plain constructor calls and passed down; nothing lives in
 * module state.
 */
/** What a running node offers: its configuration, backends and services (the tests read them too). */
export interface NodeServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly cache: Cache;
  readonly metrics: Metrics;
  readonly modes: GameModes;
  readonly rooms: RoomRegistry;
  readonly matchmaking: MatchmakingService;
  readonly leaderboard: Leaderboard;
  readonly tournaments: TournamentService;
  readonly leaderboardSweep: LeaderboardSweep;
  readonly leagues: Leagues;
  readonly outbox: Outbox;
  /** Which nodes are alive and which node serves each room (src/directory). */
  readonly directory: Directory;
  /** Where the gateway listens, e.g. http://127.0.0.1:3000. */
  readonly url: string;
}

/** What close() stops, in the order it does. */
interface RunningParts {
  workerApi: WorkerApiServer | undefined;
  upkeep: PeriodicTask[];
  tickLoop: TickLoop;
  /** Hands this process's rooms on to other nodes; resolves with how many. */
  handOnRooms: () => Promise<number>;
  websockets: WebSocketGateway;
  roomManager: RoomManager;
  agones: AgonesLifecycle | undefined;
  /** Gives up this process's room leases and its announcement, and closes its clients of other nodes. */
  leaveCluster: () => Promise<void>;
  gateway: FastifyInstance;
  metricsServer: FastifyInstance | undefined;
  topology: Topology;
}

export class GameServer implements NodeServices {
  private closing: Promise<void> | undefined;
  declare readonly config: Config;
  declare readonly logger: Logger;
  declare readonly db: Database;
  declare readonly cache: Cache;
  declare readonly metrics: Metrics;
  declare readonly modes: GameModes;
  declare readonly rooms: RoomRegistry;
  declare readonly matchmaking: MatchmakingService;
  declare readonly leaderboard: Leaderboard;
  declare readonly tournaments: TournamentService;
  declare readonly leaderboardSweep: LeaderboardSweep;
  declare readonly leagues: Leagues;
  declare readonly outbox: Outbox;
  declare readonly directory: Directory;
  declare readonly url: string;

  private constructor(
    services: NodeServices,
    private readonly running: RunningParts,
  ) {
    Object.assign(this, services);
  }

  /** host:port the gRPC Worker API is bound to; undefined when WORKER_GRPC_ADDR is empty. */
  get workerApiAddress(): string | undefined {
    return this.running.workerApi?.address;
  }

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
    const rankIndex = openRankIndex(cache);
    const leaderboards = new Leaderboards(db, rankIndex);
    const leaderboardSweep = new LeaderboardSweep(db, leaderboards, rankIndex, () => new Date(), leaderboardEvents(metrics, logger));
    const ratingBoards = new RatingBoards(leaderboards);
    await ratingBoards.createFor(modes.all.map((mode) => mode.name));
    const league = leagueSettings(config, modes);
    const leagues = new Leagues(db, league);
    const notifyLeague = async (notices: LeagueNotice[]) => {
      for (const notice of notices) {
        metrics.leagueUpdates.inc({ kind: notice.kind, reason: notice.reason });
        await publishPlayerNotice(cache, notice.playerId, { type: 'league_update', ...leagueUpdate(league.gameMode, notice) }).catch((error: unknown) =>
          logger.warn({ err: error, player: notice.playerId }, 'publishing a league notice failed'),
        );
      }
    };
    const upkeep = [
      new PeriodicTask(LEADERBOARD_SWEEP_MS, () => leaderboardSweep.sweep(), (error) => logger.error({ err: error }, 'leaderboard sweep failed')),
      new PeriodicTask(LEAGUE_ROLLOVER_CHECK_MS, async () => notifyLeague(await leagues.rolloverIfDue()), (error) =>
        logger.error({ err: error }, 'league season rollover failed'),
      ),
    ];
    const roles = new Roles(db, config.auth.adminEmails);
    const tournamentStore = new TournamentStore(db, Date.now);
    const outbox = new Outbox(
      await openJournal(config.database.outboxDir, config.server.nodeName, { logger }),
      {
        ...gameRecordWriters(db, rateFinishedGame({ leaderboard, ratingBoards, leagues, notify: notifyLeague, logger })),
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
    // Connections are read per recommendation, and the first one comes after the WebSocket gateway below exists.
    const load = new LocalLoad({ maxConnections: config.transport.maxConnections, tickRate: config.game.tickRate }, () => websockets.connectionCount);
    const directory = openDirectory(cache);
    const nodeId = `${config.server.nodeName}${topology.roomIdSuffix ?? ''}`;
    const autoscaler = new Autoscaler(config.autoscaling, new DirectoryLoad(directory, { id: nodeId, load }));
    // Connected once the process serves (below); built here because its health pings ride on the ticks.
    const agones = config.server.agones ? new AgonesLifecycle(new SidecarSdk(), { logger, now: Date.now, rooms: () => roomManager.roomCount }) : undefined;
    const tickLoop = new TickLoop(
      config.game.tickRate,
      (slice) => roomManager.tickSlice(slice),
      (seconds) => {
        metrics.tickDuration.observe(seconds);
        metrics.recentTicks.record(seconds);
        load.observeTick(seconds);
        agones?.observeTick();
      },
      roomManager.slices,
    );
    // Read by the agent from its first beat on, once the gateway listens and the Worker API (if any) serves.
    let url = '';
    let workerApi: WorkerApiServer | undefined;
    const agent = directoryAgent(
      directory,
      config,
      { id: nodeId, processSuffix: topology.roomIdSuffix, url: () => url, orchestratedUrl: () => agones?.publicUrl, workerApi: () => workerApi?.address, connections: () => websockets.connectionCount, rooms: roomManager, load },
      logger,
    );
    const hereOnly = new LocalRoomRegistry(roomManager, config.server.nodeName);
    const processRooms = topology.registry(hereOnly, logger);
    const recovery = GameServer.roomRecovery(config, topology, { cache, directory, roomManager, agent, metrics, logger, nodeId, upkeep, connections: () => websockets.connectionCount });
    const workers = new WorkerClients();
    const rooms = new CrossNodeRoomRegistry(processRooms, {
      directory,
      self: nodeId,
      workerAt: (address) => workers.at(address),
      claim: (roomId) => agent.claim(roomId),
      hostsRooms: config.server.role !== 'gateway',
      beats: { ...TIMINGS, beatMs: BEAT_MS, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
      cache,
      warn: (message, error) => logger.warn({ err: error }, message),
      ...(recovery ? { recover: recovery.recover } : {}),
    });
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
    const audit = new AuditLog(db);
    const admin = new AdminService({
      db,
      auth,
      roles,
      rooms,
      directory,
      queues: matchmaking,
      expel: (playerId, code, message) => publishPlayerExpulsion(cache, playerId, code, message),
      audit,
      // Read per request, once the WebSocket gateway below exists.
      figures: {
        node: nodeId,
        connections: () => websockets.connectionCount,
        rooms: () => roomManager.roomCount,
        playersInRooms: () => roomManager.playerCount,
        recentTicks: metrics.recentTicks,
        recentQueueWaits: metrics.recentQueueWaits,
      },
      now: Date.now,
    });
    const metricsSource = topology.metricsSource(metrics);
    const gateway = await buildGateway({
      auth,
      rooms,
      modes,
      seatLimit: (gameMode) => roomManager.seatLimit(gameMode),
      matchmaking,
      leaderboard,
      leaderboards,
      leagues,
      directory,
      tournaments,
      roles,
      admin,
      audit,
      db,
      cache,
      outbox,
      metrics,
      metricsSource,
      autoscaler,
      logger,
      nodeName: config.server.nodeName,
      draining: () => roomManager.draining,
      trustProxy: config.server.trustProxy,
      enableMetrics: config.monitoring.enableMetrics,
      version: VERSION,
    });
    const wsSettings = webSocketSettings(config);
    const { transport, why } = topology.transport(gateway, transportOptions(wsSettings), config.transport.wsTransport);
    logger.info({ transport: transport.name }, `WebSocket transport: ${transport.name} (${why})`);
    const websockets = new WebSocketGateway(transport, wsSettings, {
      auth,
      rooms,
      metrics,
      logger,
      cache,
      setOnline: (playerId, online) => players.setOnline(db, playerId, online),
      noticesOnConnect: (playerId) => tournaments.noticesFor(playerId),
    });
    await websockets.start();
    await rooms.start();
    metrics.trackAutoscaling(autoscaler);
    matchmaking.onMatchFound((playerId, notice) => websockets.sendToPlayer(playerId, { type: 'match_found', ...notice }));
    matchmaking.onMatchCancelled((playerId, roomId, requeued) =>
      websockets.sendToPlayer(playerId, { type: 'match_cancelled', room_id: roomId, reason: 'player_missing', requeued }),
    );
    tournaments.onMatchReady((playerId, notice) => websockets.sendToPlayer(playerId, notice));
    url = await topology.listen();
    tickLoop.start();
    await matchmaking.start();
    await tournaments.start();
    for (const task of upkeep) task.start();
    const metricsServer = await GameServer.startMetricsServer(config, metricsSource, logger);
    // The Worker API makes and seats rooms in this process only: placement already chose it.
    workerApi = await GameServer.startWorkerApi(config, { rooms: hereOnly, roomManager, modes, metrics, logger, claim: (roomId) => agent.claim(roomId) });
    upkeep.push(await startBeating(agent, logger));
    await agones?.start();
    topology.ready(logger, url, { database: db.backend, cache: cache.backend });
    return new GameServer(
      { config, logger, db, cache, metrics, modes, rooms, matchmaking, leaderboard, tournaments, leaderboardSweep, leagues, outbox, directory, url },
      {
        workerApi,
        upkeep,
        tickLoop,
        handOnRooms: GameServer.roomHandOn({ recovery, directory, nodeId, roomManager, agent, logger }),
        websockets,
        roomManager,
        agones,
        leaveCluster: async () => {
          workers.close();
          await agent.leave(nodeId);
        },
        gateway,
        metricsServer,
        topology,
      },
    );
  }

  /**
   * Checkpoints of this process's rooms and the takeover of dead nodes' rooms, when rooms can outlive a process:
   * a Redis directory, a standalone process hosting rooms (a room keeps its id, and ids of a multi-process node
   * name their process) and ROOM_CHECKPOINT_INTERVAL > 0; a gateway only tells whether a room is being restored.
   * Their timers join `upkeep`; `recover` is what the room registry asks about a room no live node serves.
   */
  private static roomRecovery(
    config: Config,
    topology: Topology,
    deps: {
      cache: Cache;
      directory: Directory;
      roomManager: RoomManager;
      agent: ReturnType<typeof directoryAgent>;
      metrics: Metrics;
      logger: Logger;
      nodeId: string;
      upkeep: PeriodicTask[];
      connections: () => number;
    },
  ): { recover: (roomId: string) => Promise<'here' | 'pending' | 'lost'>; checkpointer?: RoomCheckpointer } | undefined {
    const interval = config.server.checkpointInterval;
    const store = interval > 0 ? openCheckpointStore(deps.cache, deps.directory) : undefined;
    if (!store) return undefined;
    // A gateway restores nothing itself; it tells a player asking for a room being restored to try again.
    if (config.server.role === 'gateway') return { recover: async (roomId) => ((await store.has(roomId)) ? 'pending' : 'lost') };
    if (topology.roomIdSuffix !== undefined) return undefined;
    const { roomManager, agent, logger } = deps;
    const metrics = recoveryMetrics(deps.metrics);
    const checkpointer = new RoomCheckpointer(
      { ids: () => roomManager.roomIds(), room: (roomId) => roomManager.find(roomId), lease: (roomId) => agent.leaseOf(roomId) },
      store,
      { metrics, logger, now: Date.now },
    );
    // A room that ended here leaves nothing to carry on.
    roomManager.onRoomEnded((roomId) => void store.drop(roomId).catch((error: unknown) => logger.warn({ err: error, room: roomId }, 'forgetting a room checkpoint failed')));
    const rescuer = new RoomRescuer(
      deps.directory,
      store,
      {
        canHost: () => !roomManager.draining && deps.connections() < config.transport.maxConnections,
        serves: (roomId) => roomManager.find(roomId) !== undefined,
        holdsLease: (roomId) => agent.leaseOf(roomId) !== undefined,
        restore: (roomId, checkpoint) => void roomManager.restore(roomId, checkpoint),
        adopt: (lease) => agent.adopt(lease),
      },
      { self: deps.nodeId, leaseTtlMs: TIMINGS.leaseTtlMs, sweepLimit: 16, graceMs: RESCUE_GRACE_MS },
      { metrics, logger, now: Date.now },
    );
    deps.upkeep.push(
      new PeriodicTask(interval, () => checkpointer.run(), (error) => logger.warn({ err: error }, 'checkpointing rooms failed')),
      new PeriodicTask(RESCUE_SWEEP_MS, () => rescuer.sweep(), (error) => logger.warn({ err: error }, 'looking for rooms of dead nodes failed')),
    );
    return { recover: (roomId) => rescuer.recover(roomId), checkpointer };
  }

  /**
   * Shutting down, hands every room on to the other nodes (room migration): a last checkpoint, the leases lapsed
   * for them to take over at once, the players sent on (their SDKs reconnect and find the room). Rooms stay and
   * end here when rooms cannot outlive this process or no other node takes rooms. Resolves with the rooms handed on.
   */
  private static roomHandOn(deps: {
    recovery: { checkpointer?: RoomCheckpointer } | undefined;
    directory: Directory;
    nodeId: string;
    roomManager: RoomManager;
    agent: ReturnType<typeof directoryAgent>;
    logger: Logger;
  }): () => Promise<number> {
    return async () => {
      const { recovery, roomManager } = deps;
      const checkpointer = recovery?.checkpointer;
      if (!checkpointer || roomManager.roomCount === 0) return 0;
      if (!chooseWorker((await deps.directory.nodes()).filter((node) => node.id !== deps.nodeId))) return 0;
      await checkpointer.run();
      await deps.agent.handOnAll();
      const rooms = roomManager.roomIds();
      for (const roomId of rooms) roomManager.handOver(roomId);
      deps.logger.info({ rooms: rooms.length }, `handed ${rooms.length} rooms on to other nodes`);
      return rooms.length;
    };
  }

  private static async startMetricsServer(config: Config, metrics: MetricsSource, logger: Logger) {
    const address = config.monitoring.metricsAddr;
    if (!config.monitoring.enableMetrics || !address) return undefined;
    const server = await buildMetricsServer(metrics, logger);
    await server.listen({ host: address.host, port: address.port });
    return server;
  }

  private static async startWorkerApi(
    config: Config,
    deps: { rooms: RoomRegistry; roomManager: RoomManager; modes: GameModes; metrics: Metrics; logger: Logger; claim(roomId: string): Promise<void> },
  ) {
    const bind = config.server.workerGrpcAddr;
    if (!bind) return undefined;
    // In a process of a multi-process node, a port-0 listen is shared by all of them through the primary
    // (Node's cluster): each takes a free port of its own instead.
    const address = bind.port === 0 && cluster.isWorker ? { ...bind, port: await exclusiveFreePort(bind.host) } : bind;
    return WorkerApiServer.start(address, {
      rooms: deps.rooms,
      host: deps.roomManager,
      tickDuration: deps.metrics.tickDuration,
      defaultGameMode: deps.modes.default.name,
      reservationSeconds: roomSettings(config).reservationSeconds,
      node: config.server.nodeName,
      version: VERSION,
      tickRate: config.game.tickRate,
      logger: deps.logger,
      claim: deps.claim,
    });
  }

  /** Stops accepting, lets in-flight requests finish, then closes the pools. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.logger.info('shutting down: draining connections');
      // From here /healthz answers 503 (load balancers send no new players) and no room is made here.
      this.running.roomManager.drain();
      // The control plane first: nothing places rooms here while they close.
      await this.running.workerApi?.close();
      await this.tournaments.stop();
      await Promise.all(this.running.upkeep.map((task) => task.stop()));
      await this.matchmaking.stop();
      this.running.tickLoop.stop();
      await this.running.handOnRooms().catch((error: unknown) => this.logger.warn({ err: error }, 'handing rooms on failed; they end here'));
      await this.running.websockets.close();
      await this.running.roomManager.close();
      await this.running.agones?.stop();
      await this.running.leaveCluster().catch((error: unknown) => this.logger.warn({ err: error }, 'leaving the directory failed; the entries lapse'));
      await within(this.outbox.drained(), SHUTDOWN_FLUSH_MS);
      await this.outbox.stop();
      await Promise.all([this.running.gateway.close(), this.running.metricsServer?.close()]);
      this.running.topology.close();
      await Promise.allSettled([this.cache.close(), this.db.close()]);
      this.logger.info('shutdown complete');
    })();
    return this.closing;
  }
}
