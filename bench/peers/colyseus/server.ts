/**
 * The GameV1 arena (src/sim, unchanged) hosted in a Colyseus room with Colyseus' own state sync, configured
 * at its best for the comparison: the patch goes out right after each simulation step (no unaligned patch
 * timer), same tick and snapshot rate as GameV1, integer fields as in GameV1's snapshots.
 *
 *   COLYSEUS_TRANSPORT=ws|uws TICK_RATE=20 PORT=0 node --import tsx bench/peers/colyseus/server.ts
 *
 * `ws`: Colyseus' default transport (@colyseus/ws-transport). `uws`: its uWebSockets.js transport
 * (@colyseus/uwebsockets-transport) on the native binary, never the package's JavaScript fallback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Room, Server, createEndpoint, createRouter, matchMaker, type Client, type Transport } from '@colyseus/core';
import { MapSchema, schema, t } from '@colyseus/schema';
import type * as Uws from 'uWebSockets.js';
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

/** Bench control routes, served through Colyseus' own router so they answer the same on either transport. */
const benchRoutes = createRouter({
  metrics: createEndpoint('/metrics', { method: 'GET' }, async () => {
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
  }),
  createRooms: createEndpoint('/bench/rooms', { method: 'POST' }, async (context) => {
    const query = new URL(context.request!.url).searchParams;
    const count = Number(query.get('count') ?? 1);
    const maxClients = Number(query.get('maxClients') ?? 10);
    const rooms: string[] = [];
    for (let i = 0; i < count; i++) rooms.push((await matchMaker.createRoom('arena', { maxClients })).roomId);
    return Response.json({ rooms });
  }),
});

/** A transport, the port it bound once listening, and what it runs on (for the log). */
interface PeerTransport {
  transport: Transport;
  port(): number;
  description: string;
}

async function wsTransport(): Promise<PeerTransport> {
  const { WebSocketTransport } = await import('@colyseus/ws-transport');
  const http = createServer();
  return { transport: new WebSocketTransport({ server: http }), port: () => (http.address() as AddressInfo).port, description: 'ws' };
}

/**
 * The uWebSockets.js transport, once the module it imports is known to be the native binary: the package's entry
 * point falls back to a slow JavaScript imitation when the binary does not load, which would not be uWebSockets.
 */
async function uwsTransport(): Promise<PeerTransport> {
  const require = createRequire(import.meta.url);
  const binary = `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  let native: typeof Uws;
  try {
    native = require(binary) as typeof Uws;
  } catch (error) {
    throw new Error(`COLYSEUS_TRANSPORT=uws: ${binary} does not load here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  // The entry point requires the same file, so it is the same module object unless the entry chose its fallback.
  if (require('uWebSockets.js') !== native) throw new Error('COLYSEUS_TRANSPORT=uws: uWebSockets.js loaded its JavaScript fallback');
  const { uWebSocketsTransport } = await import('@colyseus/uwebsockets-transport');
  const transport = new uWebSocketsTransport();
  return {
    transport,
    // The transport keeps its listen socket to itself; uWebSockets has no other way to tell the port bound.
    port: () => native.us_socket_local_port(transport['_listeningSocket']),
    description: `uws, native ${binary.split('/').at(-1)}`,
  };
}

const transports: Record<string, () => Promise<PeerTransport>> = { ws: wsTransport, uws: uwsTransport };
const choice = process.env.COLYSEUS_TRANSPORT ?? 'ws';
const open = transports[choice];
if (!open) throw new Error(`COLYSEUS_TRANSPORT must be ${Object.keys(transports).join(' or ')}, not ${choice}`);
const peer = await open();
const gameServer = new Server({ transport: peer.transport });
gameServer.router = benchRoutes;
gameServer.define('arena', ArenaRoom);
// uWebSockets' transport binds every interface (it takes no host); the bots connect over loopback either way.
await gameServer.listen(Number(process.env.PORT ?? 2567), '127.0.0.1');
console.log(`colyseus peer (${peer.description}) listening on http://127.0.0.1:${peer.port()}`);
