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

/** GET /healthz for load balancers: 200 when database and cache answer, 503 naming what is down. */
export function healthRoutes(deps: { db: Database; cache: Cache; nodeName: string }): FastifyPluginAsyncTypebox {
  const startedAt = Date.now();
  return async (app) => {
    app.get('/healthz', {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and readiness: checks the database and the cache',
        response: { 200: HealthResponse, 503: HealthResponse, ...errorResponses },
      },
    }, async (_request, reply) => {
      const [database, cache] = await Promise.all([check(deps.db), check(deps.cache)]);
      const healthy = database.status === 'ok' && cache.status === 'ok';
      return reply.code(healthy ? 200 : 503).send({
        status: healthy ? 'ok' : 'degraded',
        node: deps.nodeName,
        uptime_seconds: (Date.now() - startedAt) / 1000,
        checks: { database, cache },
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
