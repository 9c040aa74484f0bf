/** The Prometheus (and log) side of what rooms, matchmaking, the outbox and the leaderboards report. */
import type { Logger } from 'pino';
import type { SweepEvents } from '../leaderboards/index.js';
import type { MatchmakingMetrics } from '../matchmaking/index.js';
import type { OutboxMetrics } from '../outbox/index.js';
import type { Metrics } from '../metrics/index.js';
import type { CheckpointMetrics, RescueMetrics } from '../recovery/index.js';
import type { RoomMetrics } from '../rooms/index.js';

export function roomMetrics(metrics: Metrics): RoomMetrics {
  return {
    // Plain fields, not labelled lookups: this runs once per client per snapshot.
    snapshotSent: (bytes) => {
      metrics.snapshotsSent.value++;
      metrics.snapshotBytes.value += bytes;
    },
    snapshotSkipped: () => metrics.snapshotsSkipped.inc(),
    inputRefused: () => metrics.inputsRefused.value++,
  };
}

export function matchmakingMetrics(metrics: Metrics): MatchmakingMetrics {
  return {
    queueSize: (gameMode, region, size) => metrics.matchmakingQueueSize.set({ game_mode: gameMode, region }, size),
    matchFormed: (match, waits) => {
      const labels = { game_mode: match.gameMode, region: match.region };
      metrics.matchesFormed.inc(labels);
      metrics.matchSkillSpread.observe({ game_mode: match.gameMode }, match.skillSpread);
      for (const wait of waits) {
        metrics.matchmakingWait.observe(labels, wait);
        metrics.recentQueueWaits.record(wait);
      }
    },
    timedOut: (count) => metrics.matchmakingTimeouts.inc(count),
  };
}

export function outboxMetrics(metrics: Metrics): OutboxMetrics {
  // Depth and oldest age are gauges read from the outbox at scrape time (Metrics.trackOutbox).
  return {
    written: (kind) => metrics.outboxWritten.inc({ kind }),
    retried: (kind) => metrics.outboxRetries.inc({ kind }),
    deadLettered: (kind) => metrics.outboxDeadLetters.inc({ kind }),
  };
}

export function leaderboardEvents(metrics: Metrics, logger: Logger): SweepEvents {
  return {
    periodClosed: ({ boardId, periodId, records }) => {
      metrics.leaderboardPeriodsClosed.inc();
      logger.info({ board: boardId, period: periodId, records }, 'leaderboard period closed');
    },
    rebuilt: (boardId, periodId) => {
      metrics.leaderboardRebuilds.inc();
      logger.warn({ board: boardId, period: periodId }, 'leaderboard index was behind the database and was rebuilt');
    },
  };
}

export function recoveryMetrics(metrics: Metrics): CheckpointMetrics & RescueMetrics {
  return {
    checkpointAge: (seconds) => metrics.roomCheckpointAge.set(seconds),
    checkpointWritten: (rooms, bytes) => {
      metrics.roomCheckpoints.inc(rooms);
      metrics.roomCheckpointBytes.inc(bytes);
    },
    unrecoverable: () => metrics.roomsUnrecoverable.inc(),
    restored: (seconds) => {
      metrics.roomRestores.inc({ outcome: 'restored' });
      metrics.roomRestoreSeconds.observe(seconds);
    },
    failed: (reason) => metrics.roomRestores.inc({ outcome: reason }),
  };
}
