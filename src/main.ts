import { ConfigError, loadConfig } from './config/index.js';
import { CacheUnavailableError } from './cache/index.js';
import { DatabaseUnavailableError } from './store/index.js';
import { createLogger, GameServer } from './server/index.js';

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
  const logger = createLogger(config);
  let server: GameServer;
  try {
    server = await GameServer.start(config, logger);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || error instanceof CacheUnavailableError) {
      logger.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }

  const shutdown = (signal: string) => {
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
