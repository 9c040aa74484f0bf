import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { runPrimary, WorkerLink, type IpcChannel } from './cluster/index.js';
import { ConfigError, VERSION, createLogger, loadConfig, type Config } from './config/index.js';
import type { GameServer } from './server/index.js';

/**
 * A worker process is a node of its own in logs, metrics and cluster state: `<NODE_NAME>-w<N>`, with its own
 * Worker API on WORKER_GRPC_ADDR's port + N − 1 (port 0: a free port each).
 */
function workerConfig(config: Config, index: number): Config {
  const grpc = config.server.workerGrpcAddr;
  const workerGrpcAddr = grpc && grpc.port !== 0 ? { ...grpc, port: grpc.port + index - 1 } : grpc;
  return { ...config, server: { ...config.server, nodeName: `${config.server.nodeName}-w${index}`, workerGrpcAddr } };
}

/** Entry point: `npm start` / `node dist/main.js [--config gateway.toml]`. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ argv: process.argv.slice(2) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`gamev1: ${error.message}`);
    process.exit(1);
  }
  const workers = config.server.workers === 0 ? availableParallelism() : config.server.workers;
  if (workers > 1 && cluster.isPrimary) {
    const logger = createLogger(config);
    if (!config.auth.jwtSecret) {
      // Every worker must accept the others' tokens; they inherit this environment.
      process.env.JWT_SECRET = randomBytes(32).toString('hex');
      logger.warn('!!! JWT_SECRET is not set: the workers share a random secret; tokens will not survive a restart. Set JWT_SECRET in production. !!!');
    }
    try {
      await runPrimary(
        { workers, bindAddr: config.server.bindAddr, shutdownTimeout: config.server.shutdownTimeout, banner: `GameV1 ${VERSION}` },
        logger,
      );
    } catch (error) {
      logger.fatal((error as Error).message);
      process.exit(1);
    }
    return;
  }
  const slot = cluster.isWorker ? WorkerLink.slotFromEnvironment() : undefined;
  if (slot) config = workerConfig(config, slot.index);
  const logger = createLogger(config);
  const link = slot && new WorkerLink(slot.index, slot.count, process as IpcChannel, logger);
  // Loaded here, not at the top: the primary of a multi-process node never needs the server's dependencies.
  const [{ GameServer: Server }, { CacheUnavailableError }, { DatabaseUnavailableError }] = await Promise.all([
    import('./server/index.js'),
    import('./cache/index.js'),
    import('./store/index.js'),
  ]);
  let server: GameServer;
  try {
    server = await Server.start(config, logger, link);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || error instanceof CacheUnavailableError) {
      logger.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }

  const shutdown = (signal: string) => {
    // A worker gets the signal from its process group and again from the primary; the primary escalates.
    if (process.exitCode !== undefined && link) return;
    if (process.exitCode !== undefined) {
      logger.warn(`${signal} again: exiting without draining`);
      process.exit(1);
    }
    process.exitCode = 0;
    logger.info(`${signal} received`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${config.server.shutdownTimeout} s; exiting`);
      process.exit(1);
    }, config.server.shutdownTimeout * 1000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A stray rejection is a bug to log and fix, not a reason to drop every player on the node.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
