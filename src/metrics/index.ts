import { RecentSamples } from './recent.js';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** One registry's metrics as data, e.g. to merge the processes of a node into one exposition. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Where /metrics gets its text: one process's registry, or every process of the node merged. */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

/** One exposition of several processes' metrics; their `node` labels keep the series apart. */
export function mergeSnapshots(snapshots: MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots).metrics();
}

/**
 * A hot-path counter: callers bump a plain number (no label hashing, no registry lookup per message) and the
 * Prometheus counter takes the total at scrape time.
 */
export class Tally {
  value = 0;
}

/** A Tally per label value, e.g. messages per type. */
export class LabelledTally {
  readonly values = new Map<string, number>();

  add(label: string, amount = 1): void {
    this.values.set(label, (this.values.get(label) ?? 0) + amount);
  }
}

function tallyCounter(registry: Registry, name: string, help: string, tally: Tally): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.inc(tally.value);
      tally.value = 0;
    },
  });
}

/**
 * The Prometheus registry of one GameV1 node and the metrics shared across subsystems. Each node (and each
 * test server) owns its registry, so nothing here is a module-level singleton.
 */
export class Metrics implements MetricsSource {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly dbConnectionErrors: Counter;
  readonly cacheErrors: Counter;
  readonly authAttempts: Counter<'kind' | 'outcome'>;
  readonly rateLimited: Counter<'scope'>;
  readonly connectionsActive: Gauge;
  readonly messagesIn = new LabelledTally();
  readonly messagesOut = new Tally();
  readonly bytesOut = new Tally();
  readonly disconnects: Counter<'code'>;
  readonly connectionsMoved: Counter<'direction'>;
  readonly slowClientsDropped: Counter;
  readonly tickDuration: Histogram;
  /** The last ticks' durations in seconds, for the console's "tick p99 now" (the histogram is cumulative). */
  readonly recentTicks = new RecentSamples(1024);
  readonly snapshotBytes = new Tally();
  readonly snapshotsSent = new Tally();
  readonly inputsRefused = new Tally();
  readonly snapshotsSkipped: Counter;
  readonly matchmakingQueueSize: Gauge<'game_mode' | 'region'>;
  readonly outboxWritten: Counter<'kind'>;
  readonly outboxRetries: Counter<'kind'>;
  readonly outboxDeadLetters: Counter<'kind'>;
  readonly matchmakingWait: Histogram<'game_mode' | 'region'>;
  /** The last matched players' waits in seconds, all queues. */
  readonly recentQueueWaits = new RecentSamples(1024);
  readonly matchesFormed: Counter<'game_mode' | 'region'>;
  readonly matchSkillSpread: Histogram<'game_mode'>;
  readonly matchmakingTimeouts: Counter;
  readonly tournamentEvents: Counter<'type'>;
  readonly leaderboardPeriodsClosed: Counter;
  readonly leaderboardRebuilds: Counter;
  readonly leagueUpdates: Counter<'kind' | 'reason'>;
  readonly roomRestores: Counter<'outcome'>;
  readonly roomRestoreSeconds: Histogram;
  readonly roomCheckpointAge: Gauge;
  readonly roomCheckpoints: Counter;
  readonly roomCheckpointBytes: Counter;
  readonly roomsUnrecoverable: Counter;

  constructor(nodeName: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: nodeName });
    collectDefaultMetrics({ register: this.registry, prefix: 'gamev1_' });
    this.httpRequests = new Counter({
      name: 'gamev1_http_requests_total',
      help: 'HTTP requests served, by route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'gamev1_http_request_duration_seconds',
      help: 'HTTP request latency in seconds.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.dbConnectionErrors = new Counter({
      name: 'gamev1_db_connection_errors_total',
      help: 'Failed or broken database connections.',
      registers,
    });
    this.cacheErrors = new Counter({
      name: 'gamev1_cache_errors_total',
      help: 'Cache (Redis) connection errors.',
      registers,
    });
    this.authAttempts = new Counter({
      name: 'gamev1_auth_attempts_total',
      help: 'Authentication attempts by kind (register, login, guest, refresh) and outcome.',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'gamev1_rate_limited_total',
      help: 'Requests refused by a rate limit, by scope (ip, account).',
      labelNames: ['scope'],
      registers,
    });
    this.connectionsActive = new Gauge({
      name: 'gamev1_connections_active',
      help: 'Open WebSocket connections.',
      registers,
    });
    const messagesIn = this.messagesIn;
    new Counter({
      name: 'gamev1_ws_messages_in_total',
      help: 'WebSocket messages received, by type (invalid: not decodable or unknown).',
      labelNames: ['type'],
      registers,
      collect() {
        for (const [type, count] of messagesIn.values) this.inc({ type }, count);
        messagesIn.values.clear();
      },
    });
    tallyCounter(this.registry, 'gamev1_ws_messages_out_total', 'WebSocket messages sent.', this.messagesOut);
    tallyCounter(this.registry, 'gamev1_ws_bytes_out_total', 'WebSocket payload bytes sent.', this.bytesOut);
    this.connectionsMoved = new Counter({
      name: 'gamev1_ws_connections_moved_total',
      help: 'WebSocket connections moved between the processes of this host to reach their room (out, in, bounced back).',
      labelNames: ['direction'],
      registers,
    });
    this.disconnects = new Counter({
      name: 'gamev1_ws_disconnects_total',
      help: 'WebSocket connections closed, by close code.',
      labelNames: ['code'],
      registers,
    });
    this.slowClientsDropped = new Counter({
      name: 'gamev1_slow_clients_dropped_total',
      help: 'Connections closed because the client did not read what was sent.',
      registers,
    });
    this.tickDuration = new Histogram({
      name: 'gamev1_tick_duration_seconds',
      help: 'Time for one tick of every room on this node: simulation, snapshot encoding and sends.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25],
      registers,
    });
    tallyCounter(this.registry, 'gamev1_snapshot_bytes_total', 'Snapshot bytes sent to clients.', this.snapshotBytes);
    tallyCounter(this.registry, 'gamev1_snapshots_sent_total', 'Snapshots sent to clients.', this.snapshotsSent);
    tallyCounter(
      this.registry,
      'gamev1_inputs_refused_total',
      'Inputs a game refused: a stale or repeated sequence, or a full input queue.',
      this.inputsRefused,
    );
    this.matchmakingQueueSize = new Gauge({
      name: 'gamev1_matchmaking_queue_size',
      help: 'Players waiting in the matchmaking queue, by game mode and region (reported by the node forming matches).',
      labelNames: ['game_mode', 'region'],
      registers,
    });
    this.matchmakingWait = new Histogram({
      name: 'gamev1_matchmaking_wait_seconds',
      help: 'How long matched tickets waited.',
      labelNames: ['game_mode', 'region'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.matchesFormed = new Counter({
      name: 'gamev1_matchmaking_matches_total',
      help: 'Matches formed by the matchmaker.',
      labelNames: ['game_mode', 'region'],
      registers,
    });
    this.matchSkillSpread = new Histogram({
      name: 'gamev1_matchmaking_skill_spread',
      help: 'Rating difference between the best and worst player of each formed match.',
      labelNames: ['game_mode'],
      buckets: [10, 25, 50, 100, 150, 200, 300, 500],
      registers,
    });
    this.tournamentEvents = new Counter({
      name: 'gamev1_tournament_events_total',
      help: 'Events appended to tournament logs by this node (registered, started, room_opened, game_reported, …).',
      labelNames: ['type'],
      registers,
    });
    this.leaderboardPeriodsClosed = new Counter({
      name: 'gamev1_leaderboard_periods_closed_total',
      help: 'Leaderboard periods this node closed (each ended period is closed by exactly one node).',
      registers,
    });
    this.leaderboardRebuilds = new Counter({
      name: 'gamev1_leaderboard_rebuilds_total',
      help: 'Leaderboard rank indexes this node found behind the database and rebuilt from it.',
      registers,
    });
    this.leagueUpdates = new Counter({
      name: 'gamev1_league_updates_total',
      help: 'League placements, promotions and relegations this node decided, by kind and reason (points: a game; season_end).',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.roomRestores = new Counter({
      name: 'gamev1_room_restores_total',
      help: 'Rooms of dead nodes this node took over: restored, or lost (no_checkpoint, restore_failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.roomRestoreSeconds = new Histogram({
      name: 'gamev1_room_restore_seconds',
      help: 'Time from taking over the lease of a dead node\'s room to serving it here (checkpoint read and game rebuilt).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.roomCheckpointAge = new Gauge({
      name: 'gamev1_room_checkpoint_age_seconds',
      help: 'Age of the oldest checkpoint among the rooms this node serves: at most this much play is lost if the node dies.',
      registers,
    });
    this.roomCheckpoints = new Counter({
      name: 'gamev1_room_checkpoints_total',
      help: 'Room checkpoints written to Redis.',
      registers,
    });
    this.roomCheckpointBytes = new Counter({
      name: 'gamev1_room_checkpoint_record_bytes_total',
      help: 'Replay record bytes appended to room checkpoints.',
      registers,
    });
    this.roomsUnrecoverable = new Counter({
      name: 'gamev1_rooms_unrecoverable_total',
      help: 'Rooms whose replay record outgrew its bound: they are no longer checkpointed and die with their node.',
      registers,
    });
    this.matchmakingTimeouts = new Counter({
      name: 'gamev1_matchmaking_timeouts_total',
      help: 'Tickets that waited past their max_wait_time.',
      registers,
    });
    this.snapshotsSkipped = new Counter({
      name: 'gamev1_snapshots_skipped_total',
      help: 'Snapshots not sent because the client was congested.',
      registers,
    });
    this.outboxWritten = new Counter({
      name: 'gamev1_outbox_written_total',
      help: 'Outbox records written to the database (game records), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.outboxRetries = new Counter({
      name: 'gamev1_outbox_retries_total',
      help: 'Failed attempts to write the oldest outbox record (it is retried with backoff), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.outboxDeadLetters = new Counter({
      name: 'gamev1_outbox_dead_letters_total',
      help: 'Outbox records given up on after repeated errors other than the database being down (kept in the dead-letter file).',
      labelNames: ['kind'],
      registers,
    });
  }

  /** Outbox gauges read the outbox at scrape time. */
  trackOutbox(source: { readonly depth: number; oldestAgeSeconds(): number }): void {
    new Gauge({
      name: 'gamev1_outbox_depth',
      help: 'Records in the outbox not yet written to the database (deferred while it does not answer).',
      registers: [this.registry],
      collect() {
        this.set(source.depth);
      },
    });
    new Gauge({
      name: 'gamev1_outbox_oldest_age_seconds',
      help: 'Age of the oldest record in the outbox (0 when it is empty).',
      registers: [this.registry],
      collect() {
        this.set(source.oldestAgeSeconds());
      },
    });
  }

  /** Room gauges read their values from the room manager at scrape time. */
  trackRooms(source: { readonly roomCount: number; readonly playerCount: number }): void {
    new Gauge({
      name: 'gamev1_rooms_active',
      help: 'Rooms on this node.',
      registers: [this.registry],
      collect() {
        this.set(source.roomCount);
      },
    });
    new Gauge({
      name: 'gamev1_room_players',
      help: 'Players seated in rooms on this node (divide by gamev1_rooms_active for players per room).',
      registers: [this.registry],
      collect() {
        this.set(source.playerCount);
      },
    });
  }

  /** Autoscaling gauges ask for a fresh recommendation at scrape time, e.g. for a Kubernetes HPA on custom metrics. */
  trackAutoscaling(source: { recommend(): Promise<{ desired: number; utilization: number }> }): void {
    new Gauge({
      name: 'gamev1_autoscale_desired_replicas',
      help: 'Replicas the autoscaling policy (MIN_SERVERS..MAX_SERVERS, SCALE_UP/DOWN_THRESHOLD) asks for, from this process\'s load source.',
      registers: [this.registry],
      async collect() {
        this.set((await source.recommend()).desired);
      },
    });
    new Gauge({
      name: 'gamev1_autoscale_utilization_percent',
      help: 'Average utilization the autoscaling decision sees: the busier of connections / MAX_CONNECTIONS and tick time / tick budget.',
      registers: [this.registry],
      async collect() {
        this.set((await source.recommend()).utilization);
      },
    });
  }

  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }

  /** Prometheus text exposition of every metric of this node. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
export { RecentSamples } from './recent.js';
