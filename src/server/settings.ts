/** Config → the settings each subsystem takes, in one place, so the composition root only wires. */
import type { Config } from '../config/index.js';
import type { WebSocketSettings } from '../gateway/index.js';
import type { GameModes } from '../games/index.js';
import { DEFAULT_LADDER, standardSeason, type LeagueSettings } from '../leagues/index.js';
import type { MatchmakingSettings } from '../matchmaking/index.js';
import { DEFAULT_RATING_POLICY, type RatingPolicy } from '../rating/index.js';
import type { ManagerLimits, RoomSettings } from '../rooms/index.js';

/** How long a seat reserved over HTTP (POST /api/rooms/:id/join) waits for the WebSocket join. */
const HTTP_RESERVATION_SECONDS = 60;

export function roomSettings(config: Config): RoomSettings {
  const { game, transport } = config;
  return {
    game: {
      tickRate: game.tickRate,
      maxEntities: game.maxEntities,
      scoreLimit: game.scoreLimit,
      timeLimitSeconds: game.timeLimit,
      friendlyFire: false,
    },
    snapshotRate: game.snapshotRate,
    restartDelaySeconds: game.restartDelay,
    reconnectGraceSeconds: transport.reconnectGrace,
    reservationSeconds: HTTP_RESERVATION_SECONDS,
  };
}

export function roomLimits(config: Config, roomIdSuffix: string | undefined): ManagerLimits {
  return {
    maxPlayersPerRoom: config.transport.maxConnectionsPerRoom,
    emptyRoomTimeoutMs: config.game.emptyRoomTimeout * 1000,
    roomIdSuffix,
  };
}

export function matchmakingSettings(config: Config): MatchmakingSettings {
  const { matchmaking } = config;
  return {
    policy: {
      minPlayers: matchmaking.minPlayersPerMatch,
      maxPlayers: matchmaking.maxPlayersPerMatch,
      maxSkillDiff: matchmaking.maxSkillDiff,
      initialSkillWindow: matchmaking.initialSkillWindow,
      windowGrowthPerSecond: matchmaking.windowGrowth,
      enablePriorityQueue: matchmaking.enablePriorityQueue,
    },
    maxWaitSeconds: matchmaking.maxWaitTime,
    joinTimeoutSeconds: matchmaking.joinTimeout,
    intervalMs: matchmaking.interval,
  };
}

export function webSocketSettings(config: Config): WebSocketSettings {
  const { transport, server } = config;
  return {
    maxConnections: transport.maxConnections,
    maxMessageSize: transport.maxMessageSize,
    messageRate: transport.messageRate,
    messageQueueSize: transport.messageQueueSize,
    connectionTimeout: transport.connectionTimeout,
    enableCompression: transport.enableCompression,
    trustProxy: server.trustProxy,
  };
}

/** Each mode's rating kind comes from the mode registry; the Elo constants from config. */
export function ratingPolicy(config: Config, modes: GameModes): RatingPolicy {
  const { rating } = config;
  return {
    ...DEFAULT_RATING_POLICY,
    modes: modes.ratingKinds(),
    elo: { k: rating.kFactor, provisionalK: rating.provisionalK, provisionalGames: rating.provisionalGames },
  };
}

/** The league of LEAGUE_GAME_MODE (the default mode when empty): the standard season over LEAGUE_TIERS. */
export function leagueSettings(config: Config, modes: GameModes): LeagueSettings {
  const { league } = config;
  const gameMode = league.gameMode ?? modes.default.name;
  if (!modes.has(gameMode)) throw new RangeError(`LEAGUE_GAME_MODE: no game mode named ${gameMode} (modes: ${modes.all.map((mode) => mode.name).join(', ')})`);
  return {
    gameMode,
    seasonLengthSeconds: league.seasonLength,
    season: standardSeason({ ...DEFAULT_LADDER, tiers: league.tiers, placementGames: league.placementGames }, league.divisionSize),
  };
}
