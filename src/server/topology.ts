import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ClusterMetrics, ClusteredRoomRegistry, type WorkerLink } from '../cluster/index.js';
import { VERSION, urlOf, type HostPort } from '../config/index.js';
import type { Metrics, MetricsSource } from '../metrics/index.js';
import type { LocalRoomRegistry, RoomRegistry } from '../rooms/index.js';
import { WsTransport, openTransport, type TransportChoice, type TransportOptions, type WebSocketTransport } from '../transport/index.js';

/**
 * How this process sits in its node, chosen once at start-up: a standalone process, or one worker of a node run
 * as several processes (WORKERS > 1). Everything that differs between the two is here.
 */
export interface Topology {
  /** Ends the ids of rooms made in this process, so siblings can route by id. */
  readonly roomIdSuffix: string | undefined;
  registry(local: LocalRoomRegistry, logger: Logger): RoomRegistry;
  /** What /metrics serves. */
  metricsSource(metrics: Metrics): MetricsSource;
  /** What carries the gateway and /ws here, and why that one (for the log); call once, before `listen`. */
  transport(gateway: FastifyInstance, options: TransportOptions, choice: TransportChoice): { transport: WebSocketTransport; why: string };
  /** Starts serving the gateway through its transport; resolves with the URL it answers on. */
  listen(): Promise<string>;
  /** Says in the log that the process serves, and starts taking connections. */
  ready(logger: Logger, url: string, backends: { database: string; cache: string }): void;
  close(): void;
}

const notYet = (): never => {
  throw new Error('transport() comes before listen()');
};

export class StandaloneTopology implements Topology {
  readonly roomIdSuffix = undefined;
  private serve: () => Promise<number> = notYet;

  constructor(private readonly bindAddr: HostPort) {}

  registry(local: LocalRoomRegistry): RoomRegistry {
    return local;
  }

  metricsSource(metrics: Metrics): MetricsSource {
    return metrics;
  }

  transport(gateway: FastifyInstance, options: TransportOptions, choice: TransportChoice): { transport: WebSocketTransport; why: string } {
    const opened = openTransport(choice, gateway, options);
    this.serve = () => opened.transport.listen(this.bindAddr);
    return opened;
  }

  async listen(): Promise<string> {
    return urlOf(this.bindAddr, await this.serve());
  }

  ready(logger: Logger, url: string, backends: { database: string; cache: string }): void {
    logger.info(
      { url, ...backends, docs: `${url}/docs` },
      `GameV1 ${VERSION} listening on ${url} (database: ${backends.database}, cache: ${backends.cache})`,
    );
  }

  close(): void {}
}

/** One process of a multi-process node: the primary owns the address and hands connections over. */
export class WorkerTopology implements Topology {
  private ws: WsTransport | undefined;

  constructor(private readonly link: WorkerLink) {}

  get roomIdSuffix(): string {
    return this.link.roomIdSuffix;
  }

  registry(local: LocalRoomRegistry, logger: Logger): RoomRegistry {
    return new ClusteredRoomRegistry(local, this.link, logger);
  }

  metricsSource(metrics: Metrics): MetricsSource {
    return new ClusterMetrics(metrics, this.link);
  }

  transport(gateway: FastifyInstance, options: TransportOptions): { transport: WebSocketTransport; why: string } {
    this.ws = new WsTransport(gateway, options);
    return { transport: this.ws, why: 'WORKERS > 1: sockets move between the processes, which only ws can do' };
  }

  async listen(): Promise<string> {
    const ws = this.ws ?? notYet();
    // The worker's own loopback port (logged) serves direct checks and gives Node's HTTP server its header and
    // request timeouts for the connections the primary hands over.
    const port = await ws.listen({ host: '127.0.0.1', port: 0 });
    this.link.onConnection((socket) => {
      ws.server.emit('connection', socket);
      socket.resume();
    });
    return `http://127.0.0.1:${port}`;
  }

  ready(logger: Logger, url: string, backends: { database: string; cache: string }): void {
    this.link.ready();
    logger.info({ url, ...backends }, `worker ${this.link.index} ready (its own port: ${url})`);
  }

  close(): void {
    this.link.close();
  }
}
