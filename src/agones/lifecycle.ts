import type { Logger } from 'pino';
import type { AgonesSdk } from './sdk.js';

/** How often a live tick loop pings the sidecar; deploy/k8s/worker-fleet.yaml's health period is sized on it. */
export const AGONES_HEALTH_INTERVAL_MS = 2_000;
/** The Fleet's port players connect to (deploy/k8s/worker-fleet.yaml). */
export const AGONES_PORT_NAME = 'ws';
/** How long start-up waits for the sidecar before running on without Agones. */
export const AGONES_CONNECT_TIMEOUT_MS = 5_000;

export interface AgonesLifecycleDeps {
  logger: Logger;
  now: () => number;
  /** Rooms this process hosts, published as the GameServer label `agones.dev/sdk-rooms`. */
  rooms: () => number;
}

type State = 'idle' | 'serving' | 'off' | 'stopped';

/**
 * This process as an Agones GameServer: `start` connects to the sidecar and marks it Ready, `observeTick` pings
 * health from the tick loop, `stop` shuts the GameServer down. Health rides on the ticks rather than a timer so
 * that a stuck or stopped loop stops the pings and Agones marks the GameServer Unhealthy and replaces it.
 */
export class AgonesLifecycle {
  private state: State = 'idle';
  private lastHealthAt = Number.NEGATIVE_INFINITY;
  private publishedRooms: number | undefined;
  private reachedAt: string | undefined;
  /** One warning per kind of failure, not one every health period. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly sdk: AgonesSdk,
    private readonly deps: AgonesLifecycleDeps,
  ) {}

  /** Call once the process serves. Without a sidecar it logs an error and the process runs on without Agones. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    try {
      await this.sdk.connect(AGONES_CONNECT_TIMEOUT_MS);
      await this.sdk.ready();
      this.state = 'serving';
      this.deps.logger.info('agones: GameServer is Ready');
      await this.readAddress();
    } catch (error) {
      this.state = 'off';
      this.sdk.close();
      this.deps.logger.error(
        { err: error },
        `agones: the SDK sidecar did not answer within ${AGONES_CONNECT_TIMEOUT_MS} ms or refused Ready (AGONES=true): running without Agones`,
      );
    }
  }

  /** `http://<GameServer address>:<host port>` once Agones told it: where players sent to this process connect. */
  get publicUrl(): string | undefined {
    return this.reachedAt;
  }

  /** A GameServer behind a host port is reached at its node's address and that port, which only Agones knows. */
  private async readAddress(): Promise<void> {
    try {
      const address = await this.sdk.address(AGONES_PORT_NAME);
      if (!address) return;
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      this.reachedAt = `http://${host}:${address.port}`;
      this.deps.logger.info({ url: this.reachedAt }, `agones: players reach this GameServer at ${this.reachedAt}`);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'agones: reading the GameServer address failed; announcing PUBLIC_URL or NODE_NAME instead');
    }
  }

  /** Called after every tick; pings health (and publishes the room count) at most once per interval. */
  observeTick(): void {
    if (this.state !== 'serving') return;
    const now = this.deps.now();
    if (now - this.lastHealthAt < AGONES_HEALTH_INTERVAL_MS) return;
    this.lastHealthAt = now;
    this.sdk.health((error) => this.warnOnce('health', error, 'agones: a health ping failed'));
    this.publishRooms();
  }

  /** Call after the rooms are closed: Agones then deletes this GameServer. */
  async stop(): Promise<void> {
    const { state } = this;
    if (state === 'stopped' || state === 'off') return;
    this.state = 'stopped';
    if (state === 'serving') await this.sdk.shutdown().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'agones: shutdown failed'));
    this.sdk.close();
  }

  private publishRooms(): void {
    const rooms = this.deps.rooms();
    if (rooms === this.publishedRooms) return;
    this.publishedRooms = rooms;
    this.sdk.setLabel('rooms', String(rooms)).catch((error: unknown) => {
      this.publishedRooms = undefined; // retried at the next health ping
      this.warnOnce('label', error, 'agones: publishing the room count failed');
    });
  }

  private warnOnce(kind: string, error: unknown, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.deps.logger.warn({ err: error }, message);
  }
}
