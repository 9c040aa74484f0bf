import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Cache } from '../../cache/index.js';
import type { MetricsSource } from '../../metrics/index.js';
import type { Database } from '../../store/index.js';
import { HealthResponse, errorResponses } from '../schemas.js';

const CHECK_TIMEOUT_MS = 2_000;

interface Probe {
  backend: string;
  ping(): Promise<void>;
}

async function check(probe: Probe) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok' as const, backend: probe.backend, latency_ms: performance.now() - started };
  } catch (error) {
    return {
      status: 'down' as const,
      backend: probe.backend,
      latency_ms: performance.now() - started,
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** What /healthz reports of the outbox: records deferred until the database takes them. */
export interface OutboxProbe {
  readonly backend: 'file' | 'memory';
  readonly depth: number;
  oldestAgeSeconds(): number;
}

/**
 * GET /healthz for load balancers. 503 when the cache is down (logins and sessions need it). A database outage
 * is `degraded`, not down: rooms play on and their records wait in the outbox, so the node stays in service
 * (and is not restarted by a liveness probe) while `checks.database` and `checks.outbox` say what is deferred.
 * 503 `draining` from the start of a shutdown (or a Drain call) on.
 */
export function healthRoutes(deps: { db: Database; cache: Cache; outbox: OutboxProbe; nodeName: string; draining: () => boolean }): FastifyPluginAsyncTypebox {
  const startedAt = Date.now();
  return async (app) => {
    app.get('/healthz', {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and readiness: the database, the cache and the outbox of deferred writes',
        response: { 200: HealthResponse, 503: HealthResponse, ...errorResponses },
      },
    }, async (_request, reply) => {
      const [database, cache] = await Promise.all([check(deps.db), check(deps.cache)]);
      const depth = deps.outbox.depth;
      const outbox = {
        status: depth === 0 ? ('ok' as const) : ('degraded' as const),
        backend: deps.outbox.backend,
        depth,
        oldest_age_seconds: deps.outbox.oldestAgeSeconds(),
      };
      const allOk = database.status === 'ok' && cache.status === 'ok' && outbox.status === 'ok';
      // A draining node answers 503 so load balancers stop sending it players before it goes.
      const draining = deps.draining();
      return reply.code(cache.status === 'ok' && !draining ? 200 : 503).send({
        status: draining ? 'draining' : allOk ? 'ok' : 'degraded',
        node: deps.nodeName,
        uptime_seconds: (Date.now() - startedAt) / 1000,
        checks: { database, cache, outbox },
      });
    });
  };
}

/** GET /metrics in Prometheus text format. */
export function metricsRoutes(metrics: MetricsSource): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/metrics', {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (all prefixed gamev1_)',
        response: { 200: Type.String() },
      },
    }, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()));
  };
}
