/**
 * Every setting GameV1 reads: its environment key, its TOML section/key (the section is the group name,
 * the key is the snake_case of the property), its default and what it is for. The `Config` type is derived
 * from this table, so a setting is declared exactly once.
 */
import { hostname } from 'node:os';
import {
  boolean,
  emailList,
  enumOf,
  float,
  hostPort,
  integer,
  optional,
  text,
  tierList,
  url,
  type Setting,
} from './parsers.js';

const seconds = (min: number, max: number) => integer(min, max);

export const SETTINGS = {
  server: {
    bindAddr: {
      env: 'GATEWAY_BIND_ADDR',
      default: '0.0.0.0:3000',
      parse: hostPort,
      doc: 'host:port the gateway (HTTP API, /ws, /metrics) listens on. Port 0 picks a free port.',
    },
    workerGrpcAddr: {
      env: 'WORKER_GRPC_ADDR',
      default: '',
      parse: optional(hostPort),
      doc:
        'host:port serving the gRPC Worker API (proto/worker.proto): the control plane of this process\'s rooms (create, seat, ' +
        'input, snapshot, health, drain, load), never game frames. Port 0 picks a free port. Empty: not served. With WORKERS=N, ' +
        'process k serves its own on port + k - 1 (port 0: a free port each).',
    },
    publicUrl: {
      env: 'PUBLIC_URL',
      default: '',
      parse: optional(url(['http:', 'https:'])),
      doc: 'URL players and other nodes reach this node at, announced in the node directory. Empty: http://NODE_NAME:<gateway port>.',
    },
    region: {
      env: 'NODE_REGION',
      default: 'default',
      parse: text(1, 32, /^[a-z0-9][a-z0-9_-]*$/),
      doc: 'Region this node announces in the node directory (a matchmaking region, e.g. eu-west).',
    },
    role: {
      env: 'ROLE',
      default: 'all',
      parse: enumOf(['all', 'gateway', 'worker'] as const),
      doc:
        'What this process does (also `--role`): all (one process does everything; what `npm start` runs), gateway (HTTP API, ' +
        'WebSocket, matchmaking, tournaments; hosts no rooms: places them on workers) or worker (hosts rooms and serves the ' +
        'Worker API). gateway and worker need REDIS_URL and DATABASE_URL (shared); worker needs WORKER_GRPC_ADDR.',
    },
    nodeName: {
      env: 'NODE_NAME',
      default: hostname(),
      parse: text(1, 64),
      doc: 'Name of this node in logs, metrics (label `node`) and cluster state. Defaults to the host name.',
    },
    trustProxy: {
      env: 'TRUST_PROXY',
      default: 'false',
      parse: boolean,
      doc: 'Trust X-Forwarded-For from a load balancer (nginx/HAProxy) for the client IP used in rate limits.',
    },
    shutdownTimeout: {
      env: 'SHUTDOWN_TIMEOUT',
      default: '10',
      parse: seconds(1, 600),
      doc: 'Seconds to drain in-flight requests on SIGTERM/SIGINT before exiting anyway.',
    },
    workers: {
      env: 'WORKERS',
      default: '1',
      parse: integer(0, 64),
      doc:
        'Server processes on this host sharing the gateway port, each running its share of the rooms; a player is moved to ' +
        'the process of the room they join. 1: one process. 0: one per CPU core. More than one needs DATABASE_URL and REDIS_URL.',
    },
    checkpointInterval: {
      env: 'ROOM_CHECKPOINT_INTERVAL',
      default: '500',
      parse: integer(0, 60_000),
      doc:
        'Milliseconds between checkpoints of every room to Redis (state and replay record), from which another node carries a ' +
        'room on when this one dies: at most this much play is lost. 0: rooms die with their node. Needs REDIS_URL; only with WORKERS=1.',
    },
    agones: {
      env: 'AGONES',
      default: 'false',
      parse: boolean,
      doc:
        'Run as an Agones GameServer (deploy/k8s/worker-fleet.yaml): connect to the SDK sidecar (AGONES_SDK_GRPC_PORT, default ' +
        '9357), mark Ready once serving, ping health every 2 s while the tick loop runs, label the room count, shut down on close. ' +
        'No sidecar within 5 s: logged, and the process runs on without Agones. Only with WORKERS=1.',
    },
    logLevel: {
      env: 'LOG_LEVEL',
      default: 'info',
      parse: enumOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
      doc: 'pino log level.',
    },
    logFormat: {
      env: 'LOG_FORMAT',
      default: 'auto',
      parse: enumOf(['auto', 'json', 'pretty'] as const),
      doc: 'auto: readable colored lines when stdout is a terminal, JSON lines otherwise (for log shippers).',
    },
  },
  database: {
    url: {
      env: 'DATABASE_URL',
      default: '',
      parse: optional(url(['postgres:', 'postgresql:'])),
      doc: 'PostgreSQL URL. Empty: embedded PGlite (real Postgres in WASM) stored in DATA_DIR.',
    },
    poolSize: {
      env: 'DATABASE_POOL_SIZE',
      default: '20',
      parse: integer(1, 1000),
      doc: 'Maximum PostgreSQL connections in the pool.',
    },
    schema: {
      env: 'DATABASE_SCHEMA',
      default: 'public',
      parse: text(1, 63, /^[a-z_][a-z0-9_]*$/),
      doc: 'Schema holding GameV1 tables (created if missing). Lets several deployments or test runs share a database.',
    },
    dataDir: {
      env: 'DATA_DIR',
      default: './data',
      parse: text(1, 4096),
      doc: 'PGlite data directory when DATABASE_URL is empty. `memory://` keeps the database in memory only.',
    },
    outboxDir: {
      env: 'OUTBOX_DIR',
      default: './outbox',
      parse: text(1, 4096),
      doc:
        'Directory of the outbox journal: finished games and ratings are journaled (fsync) here before they are written, ' +
        'and kept until PostgreSQL has them. One file per process, named after NODE_NAME; keep it on a persistent volume. ' +
        '`memory://` keeps it in memory (nothing survives a restart).',
    },
    outboxRetryMax: {
      env: 'OUTBOX_RETRY_MAX',
      default: '30',
      parse: seconds(1, 3600),
      doc: 'Longest wait, in seconds, between attempts to write the oldest outbox record while PostgreSQL does not answer (the wait doubles from 0.5 s up to this).',
    },
  },
  redis: {
    url: {
      env: 'REDIS_URL',
      default: '',
      parse: optional(url(['redis:', 'rediss:'])),
      doc: 'Redis URL for sessions, rate limits and cross-node state. Empty: an in-process memory cache (single node only).',
    },
    poolSize: {
      env: 'REDIS_POOL_SIZE',
      default: '4',
      parse: integer(1, 256),
      doc: 'Redis connections used round-robin for commands (each one pipelines).',
    },
    keyPrefix: {
      env: 'REDIS_KEY_PREFIX',
      default: 'gamev1:',
      parse: text(0, 128),
      doc: 'Prefix of every Redis key, so several deployments or test runs can share one Redis.',
    },
  },
  transport: {
    wsTransport: {
      env: 'WS_TRANSPORT',
      default: 'auto',
      parse: enumOf(['auto', 'uws', 'ws'] as const),
      doc:
        'What carries /ws: uws (uWebSockets.js, native; fails to start where its binary cannot load), ws, or auto (uws when ' +
        'its binary loads and the node is one process, else ws; a node of WORKERS > 1 moves sockets between processes, ' +
        'which only ws can). Logged at start.',
    },
    maxConnections: {
      env: 'MAX_CONNECTIONS',
      default: '10000',
      parse: integer(1, 10_000_000),
      doc: 'Maximum concurrent WebSocket connections on this node.',
    },
    maxConnectionsPerRoom: {
      env: 'MAX_CONNECTIONS_PER_ROOM',
      default: '100',
      parse: integer(1, 10_000),
      doc: 'Upper bound for a room\'s max_players.',
    },
    connectionTimeout: {
      env: 'CONNECTION_TIMEOUT',
      default: '30',
      parse: seconds(1, 3600),
      doc: 'Seconds without a heartbeat before a connection is closed.',
    },
    messageQueueSize: {
      env: 'MESSAGE_QUEUE_SIZE',
      default: '1000',
      parse: integer(1, 1_000_000),
      doc: 'Outgoing messages buffered per connection before the client counts as slow.',
    },
    enableCompression: {
      env: 'ENABLE_COMPRESSION',
      default: 'false',
      parse: boolean,
      doc: 'Offer WebSocket permessage-deflate (costs CPU per connection).',
    },
    maxMessageSize: {
      env: 'MAX_MESSAGE_SIZE',
      default: '16384',
      parse: integer(256, 1_048_576),
      doc: 'Largest WebSocket frame accepted, in bytes; a larger one closes the connection with 1009.',
    },
    messageRate: {
      env: 'WS_MESSAGE_RATE',
      default: '120',
      parse: integer(1, 100_000),
      doc: 'WebSocket messages per second a connection may send (bursts up to twice that); more are dropped with an error, a flood closes it (1008).',
    },
    reconnectGrace: {
      env: 'RECONNECT_GRACE',
      default: '30',
      parse: seconds(0, 3600),
      doc: 'Seconds a disconnected player keeps its seat, entity and score in a room.',
    },
    enableRateLimiting: {
      env: 'ENABLE_RATE_LIMITING',
      default: 'true',
      parse: boolean,
      doc: 'Rate limit login/register per IP and per account, and messages per connection.',
    },
  },
  game: {
    tickRate: {
      env: 'TICK_RATE',
      default: '60',
      parse: integer(1, 240),
      doc: 'Simulation ticks per second.',
    },
    maxEntities: {
      env: 'MAX_ENTITIES',
      default: '10000',
      parse: integer(1, 1_000_000),
      doc: 'Maximum simulated entities per room.',
    },
    snapshotRate: {
      env: 'SNAPSHOT_RATE',
      default: '20',
      parse: integer(1, 240),
      doc: 'Snapshots sent per second (at most TICK_RATE).',
    },
    scoreLimit: {
      env: 'SCORE_LIMIT',
      default: '20',
      parse: integer(1, 100_000),
      doc: 'Kills that win a deathmatch.',
    },
    timeLimit: {
      env: 'TIME_LIMIT',
      default: '300',
      parse: seconds(1, 86_400),
      doc: 'Seconds a match lasts at most.',
    },
    restartDelay: {
      env: 'MATCH_RESTART_DELAY',
      default: '10',
      parse: seconds(0, 3600),
      doc: 'Seconds between the end of a match and the start of the next one in the same room.',
    },
    emptyRoomTimeout: {
      env: 'EMPTY_ROOM_TIMEOUT',
      default: '60',
      parse: seconds(0, 86_400),
      doc: 'Seconds an empty room (no players, no reserved seats) lives before it is disposed.',
    },
  },
  matchmaking: {
    maxWaitTime: {
      env: 'MAX_WAIT_TIME',
      default: '300',
      parse: seconds(1, 86_400),
      doc: 'Seconds a ticket may wait before it ends with a timeout.',
    },
    maxSkillDiff: {
      env: 'MAX_SKILL_DIFF',
      default: '200.0',
      parse: float(0, 100_000),
      doc: 'Widest rating difference the skill window grows to.',
    },
    minPlayersPerMatch: {
      env: 'MIN_PLAYERS_PER_MATCH',
      default: '2',
      parse: integer(1, 1000),
      doc: 'Fewest players a formed match holds.',
    },
    maxPlayersPerMatch: {
      env: 'MAX_PLAYERS_PER_MATCH',
      default: '8',
      parse: integer(1, 1000),
      doc: 'Most players a formed match holds.',
    },
    initialSkillWindow: {
      env: 'MATCHMAKING_INITIAL_SKILL_WINDOW',
      default: '50',
      parse: float(0, 100_000),
      doc: 'Rating difference a fresh ticket accepts; it widens with waiting up to MAX_SKILL_DIFF.',
    },
    windowGrowth: {
      env: 'MATCHMAKING_WINDOW_GROWTH',
      default: '10',
      parse: float(0, 100_000),
      doc: 'How much the accepted rating difference widens per second of waiting.',
    },
    joinTimeout: {
      env: 'MATCH_JOIN_TIMEOUT',
      default: '30',
      parse: seconds(1, 3600),
      doc: 'Seconds matched players have to join their room; if one does not, the match is called off and the others re-queued with priority.',
    },
    interval: {
      env: 'MATCHMAKING_INTERVAL',
      default: '1000',
      parse: integer(50, 60_000),
      doc: 'Milliseconds between matchmaking rounds.',
    },
    enablePriorityQueue: {
      env: 'ENABLE_PRIORITY_QUEUE',
      default: 'true',
      parse: boolean,
      doc: 'Serve priority tickets (e.g. players dropped from a match) first.',
    },
  },
  rating: {
    kFactor: {
      env: 'ELO_K_FACTOR',
      default: '32',
      parse: float(1, 1000),
      doc: 'Elo K-factor: the most a single game can move an established rating.',
    },
    provisionalK: {
      env: 'ELO_PROVISIONAL_K',
      default: '64',
      parse: float(1, 1000),
      doc: 'Elo K-factor for players with fewer than ELO_PROVISIONAL_GAMES rated games.',
    },
    provisionalGames: {
      env: 'ELO_PROVISIONAL_GAMES',
      default: '10',
      parse: integer(0, 10_000),
      doc: 'Rated games after which a player leaves the provisional K-factor.',
    },
  },
  league: {
    gameMode: {
      env: 'LEAGUE_GAME_MODE',
      default: '',
      parse: optional(text(1, 64)),
      doc: 'The game mode whose rated games award league points. Empty: the default game mode (the first one).',
    },
    seasonLength: {
      env: 'LEAGUE_SEASON_LENGTH',
      default: '2419200',
      parse: seconds(60, 31_536_000),
      doc: 'Seconds a league season lasts (default 28 days); the next starts when one ends, with promotions, relegations and a soft reset.',
    },
    tiers: {
      env: 'LEAGUE_TIERS',
      default: 'Bronze:4,Silver:4,Gold:4,Platinum:4,Diamond:4,Master:0,Grandmaster:0',
      parse: tierList,
      doc:
        'League tiers lowest first as Name:divisions (0: an apex tier, ordered by points, listed last). Divisional tiers ' +
        'promote and relegate the top and bottom 10 % of each group at the season end, apex tiers the top 3 and bottom 20 %.',
    },
    divisionSize: {
      env: 'LEAGUE_DIVISION_SIZE',
      default: '50',
      parse: integer(2, 10_000),
      doc: 'Most players in one division group (cohort); promotion and relegation zones are counted per group.',
    },
    placementGames: {
      env: 'LEAGUE_PLACEMENT_GAMES',
      default: '5',
      parse: integer(1, 100),
      doc: 'Games a player plays each season before a tier is shown; the last one places the player by rating.',
    },
  },
  monitoring: {
    enableMetrics: {
      env: 'ENABLE_METRICS',
      default: 'true',
      parse: boolean,
      doc: 'Serve Prometheus metrics at GET /metrics.',
    },
    metricsAddr: {
      env: 'METRICS_ADDR',
      default: '',
      parse: optional(hostPort),
      doc: 'Extra host:port serving only /metrics (e.g. 0.0.0.0:9090). Empty: /metrics on the gateway port only.',
    },
  },
  autoscaling: {
    minServers: {
      env: 'MIN_SERVERS',
      default: '2',
      parse: integer(1, 10_000),
      doc: 'Fewest replicas the autoscaling recommendation (GET /autoscale/recommendation, the Agones webhook, the gamev1_autoscale_* gauges) asks for.',
    },
    maxServers: {
      env: 'MAX_SERVERS',
      default: '20',
      parse: integer(1, 10_000),
      doc: 'Most replicas the autoscaling recommendation asks for.',
    },
    scaleUpThreshold: {
      env: 'SCALE_UP_THRESHOLD',
      default: '75.0',
      parse: float(0, 100),
      doc:
        'Average utilization (percent of capacity: the busier of connections / MAX_CONNECTIONS and tick time / tick budget) above ' +
        'which replicas are added at once, enough to bring it back halfway between the two thresholds.',
    },
    scaleDownThreshold: {
      env: 'SCALE_DOWN_THRESHOLD',
      default: '25.0',
      parse: float(0, 100),
      doc: 'Average utilization (percent) below which replicas are removed, once it has stayed there for SCALE_DOWN_STABILIZATION seconds.',
    },
    scaleDownStabilization: {
      env: 'SCALE_DOWN_STABILIZATION',
      default: '300',
      parse: seconds(0, 86_400),
      doc: 'Seconds utilization must stay below SCALE_DOWN_THRESHOLD before replicas are removed, so a brief dip does not drop servers players are about to need.',
    },
  },
  auth: {
    jwtSecret: {
      env: 'JWT_SECRET',
      default: '',
      parse: optional(text(32, 4096)),
      doc: 'HMAC secret (at least 32 characters) for access and refresh tokens; identical on every node. Empty: a random per-process secret (development only).',
    },
    accessTokenTtl: {
      env: 'ACCESS_TOKEN_TTL',
      default: '900',
      parse: seconds(10, 86_400),
      doc: 'Access token lifetime in seconds.',
    },
    refreshTokenTtl: {
      env: 'REFRESH_TOKEN_TTL',
      default: '2592000',
      parse: seconds(60, 31_536_000),
      doc: 'Refresh session lifetime in seconds.',
    },
    rateLimitPerIp: {
      env: 'AUTH_RATE_LIMIT_PER_IP',
      default: '30',
      parse: integer(1, 1_000_000),
      doc: 'Login/register/guest attempts allowed per client IP per window.',
    },
    rateLimitPerAccount: {
      env: 'AUTH_RATE_LIMIT_PER_ACCOUNT',
      default: '10',
      parse: integer(1, 1_000_000),
      doc: 'Login/register attempts allowed per email address per window.',
    },
    rateLimitWindow: {
      env: 'AUTH_RATE_LIMIT_WINDOW',
      default: '60',
      parse: seconds(1, 86_400),
      doc: 'Rate-limit window in seconds.',
    },
    adminEmails: {
      env: 'ADMIN_EMAILS',
      default: '',
      parse: emailList,
      doc:
        'Comma-separated emails of accounts that are admins (the first admins; they grant organizer/admin roles to others ' +
        'with PUT /api/players/{id}/role). Checked on every privileged request, so a change needs only a restart.',
    },
  },
} satisfies Record<string, Record<string, Setting<unknown>>>;

export type Settings = typeof SETTINGS;
type ValueOf<S> = S extends { parse: (raw: string) => infer T } ? T : never;

/** The validated configuration, derived from SETTINGS. */
export type Config = {
  [Section in keyof Settings]: { [Key in keyof Settings[Section]]: ValueOf<Settings[Section][Key]> };
};
