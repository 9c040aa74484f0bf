import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../errors/index.js';

/** Where `npm run build:web` writes the pages (the same two levels up from src/gateway and dist/gateway). */
export const WEB_DIST = fileURLToPath(new URL('../../client/web/dist/', import.meta.url));

/** Vite names assets by content hash, so a name never changes meaning: browsers may keep them for a year. */
const ASSET_MAX_AGE = '365d';

/** The pages themselves are revalidated every time, so a new build is picked up at the next load. */
const PAGES = { '/': 'index.html', '/console': 'console.html' } as const;

const notBuilt = () =>
  new AppError('unavailable', 'web_not_built', 'the web page is not built: run `npm run build:web` (npm ci does it) and restart');

/**
 * The browser game at / and the operator console at /console, from the Vite build in `root`, with its hashed
 * /assets. API routes are declared separately and always win. Without a build the server still starts and the
 * pages answer 503 web_not_built, checked at each request so a build made while the server runs is served.
 */
export function webRoutes(root: string = WEB_DIST): FastifyPluginAsync {
  return async (app) => {
    const built = (file: string) => existsSync(join(root, file));
    if (!built(PAGES['/'])) app.log.warn(`web page not built (no ${root}): / answers 503 until \`npm run build:web\``);
    await app.register(fastifyStatic, { root, serve: false, suppressWarning: true });
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      maxAge: ASSET_MAX_AGE,
      immutable: true,
      suppressWarning: true,
    });
    for (const [url, file] of Object.entries(PAGES)) {
      app.get(url, { schema: { hide: true } }, async (_request, reply: FastifyReply) => {
        if (!built(file)) throw notBuilt();
        return reply.header('cache-control', 'no-cache').sendFile(file, { cacheControl: false });
      });
    }
  };
}
