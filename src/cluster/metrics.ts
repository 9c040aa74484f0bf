import { mergeSnapshots, type Metrics, type MetricsSnapshot, type MetricsSource } from '../metrics/index.js';
import type { WorkerLink } from './link.js';

/**
 * /metrics for a node of several processes: a scrape lands on any one of them (the port is shared), so each
 * answers with every process's series, told apart by their `node` label (`<NODE_NAME>-w<N>`).
 */
export class ClusterMetrics implements MetricsSource {
  constructor(
    private readonly local: Metrics,
    private readonly link: WorkerLink,
  ) {
    link.serve<unknown, MetricsSnapshot>('metrics', () => local.snapshot());
  }

  get contentType(): string {
    return this.local.contentType;
  }

  async render(): Promise<string> {
    const remote = await this.link.callSiblings<MetricsSnapshot>('metrics', null);
    return mergeSnapshots([await this.local.snapshot(), ...remote]);
  }
}
