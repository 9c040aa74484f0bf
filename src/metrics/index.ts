import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus registry of one GameV1 node and the metrics shared across subsystems. Each node (and each
 * test server) owns its registry, so nothing here is a module-level singleton.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly dbConnectionErrors: Counter;
  readonly cacheErrors: Counter;
  readonly authAttempts: Counter<'kind' | 'outcome'>;
  readonly rateLimited: Counter<'scope'>;

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
  }

  /** Prometheus text exposition of every metric of this node. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
