/**
 * The GameV1 arena (src/sim, unchanged) hosted in a Colyseus room with Colyseus' own state sync, configured
 * at its best for the comparison: the patch goes out right after each simulation step (no unaligned patch
 * timer), same tick and snapshot rate as GameV1, integer fields as in GameV1's snapshots.
 *
 *   TICK_RATE=20 PORT=0 node --import tsx bench/peers/colyseus/server.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Room, Server, matchMaker, type Client } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { MapSchema, schema, t } from '@colyseus/schema';
import { Histogram, Registry } from 'prom-client';
import { ArenaSimulation, type EntityState } from '../../../src/sim/index.js';

const tickRate = Number(process.env.TICK_RATE ?? 20);
const registry = new Registry();
const tickDuration = new Histogram({
  name: 'gamev1_tick_duration_seconds',
  help: 'One room step: simulation, state copy and patch broadcast.',
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.0167, 0.025, 0.05, 0.1],
  registers: [registry],
});

const PlayerState = schema({
  x: t.int32().default(0),
  y: t.int32().default(0),
  z: t.int32().default(0),
  vx: t.int32().default(0),
  vy: t.int32().default(0),
  vz: t.int32().default(0),
  yaw: t.int32().default(0),
  health: t.int16().default(0),
  score: t.uint16().default(0),
  deaths: t.uint16().default(0),
  alive: t.uint8().default(0),
  lastInput: t.float64().default(0),
});
type PlayerState = InstanceType<typeof PlayerState>;

const ArenaState = schema({
  tick: t.uint32().default(0),
  phase: t.uint8().default(0),
  ticksLeft: t.uint32().default(0),
  players: t.map(PlayerState),
});
type ArenaState = InstanceType<typeof ArenaState>;

const FIELDS = ['x', 'y', 'z', 'vx', 'vy', 'vz', 'yaw', 'health', 'score', 'deaths', 'alive', 'lastInput'] as const;

interface InputMessage {
  sequence: number;
  movement: { x: number; y: number; z: number };
  actions?: string[];
}

class ArenaRoom extends Room {
  private sim!: ArenaSimulation;
  private readonly entities = new Map<string, number>();
  private readonly views = new Map<number, PlayerState>();

  override onCreate(options: { maxClients?: number }): void {
    this.maxClients = options.maxClients ?? 10;
    this.autoDispose = false;
    this.patchRate = null;
    this.setState(new ArenaState({ players: new MapSchema<PlayerState>() }) as ArenaState);
    this.sim = new ArenaSimulation({ tickRate, maxEntities: 10_000, scoreLimit: 100_000, timeLimitSeconds: 86_400, seed: 1 });
    this.onMessage('input', (client: Client, message: InputMessage) => {
      const entity = this.entities.get(client.sessionId);
      if (entity !== undefined) {
        this.sim.queueInput(entity, { sequence: message.sequence, movement: message.movement, actions: message.actions ?? [] });
      }
    });
    this.setSimulationInterval(() => this.step(), 1000 / tickRate);
  }

  override onJoin(client: Client): void {
    const entity = this.sim.addPlayer();
    this.entities.set(client.sessionId, entity);
    const view = new PlayerState();
    this.views.set(entity, view);
    (this.state as ArenaState).players.set(client.sessionId, view);
  }

  override onLeave(client: Client): void {
    const entity = this.entities.get(client.sessionId);
    if (entity === undefined) return;
    this.sim.removePlayer(entity);
    this.entities.delete(client.sessionId);
    this.views.delete(entity);
    (this.state as ArenaState).players.delete(client.sessionId);
  }

  private step(): void {
    const started = performance.now();
    this.sim.step();
    const snapshot = this.sim.snapshot();
    const state = this.state as ArenaState;
    state.tick = snapshot.tick;
    state.phase = snapshot.phase;
    state.ticksLeft = snapshot.ticksLeft;
    for (const entity of snapshot.entities) this.copy(entity);
    this.broadcastPatch();
    tickDuration.observe((performance.now() - started) / 1000);
  }

  /** Assigning only changed fields keeps Colyseus' change tracking (and its patches) minimal. */
  private copy(entity: EntityState): void {
    const view = this.views.get(entity.id);
    if (!view) return;
    for (const field of FIELDS) if (view[field] !== entity[field]) view[field] = entity[field];
  }
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Bench control routes; anything else goes to Colyseus' own HTTP handlers. */
async function benchRoutes(request: IncomingMessage, response: ServerResponse, colyseus: Handler[]): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/metrics') {
    response.setHeader('content-type', registry.contentType);
    response.end(await registry.metrics());
    return;
  }
  if (url.pathname === '/bench/rooms' && request.method === 'POST') {
    const count = Number(url.searchParams.get('count') ?? 1);
    const maxClients = Number(url.searchParams.get('maxClients') ?? 10);
    const rooms: string[] = [];
    for (let i = 0; i < count; i++) rooms.push((await matchMaker.createRoom('arena', { maxClients })).roomId);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ rooms }));
    return;
  }
  for (const handler of colyseus) handler(request, response);
}

const http = createServer();
const gameServer = new Server({ transport: new WebSocketTransport({ server: http }) });
gameServer.define('arena', ArenaRoom);
await gameServer.listen(Number(process.env.PORT ?? 2567), '127.0.0.1');
const colyseusHandlers = http.listeners('request') as Handler[];
http.removeAllListeners('request');
http.on('request', (request, response) => void benchRoutes(request, response, colyseusHandlers));
const address = http.address() as { port: number };
console.log(`colyseus peer listening on http://127.0.0.1:${address.port}`);
