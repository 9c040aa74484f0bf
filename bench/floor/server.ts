/**
 * The transport floor: GameV1's wire protocol with no game behind it. Guests are taken at their word, rooms
 * are plain sets, and every tick each client gets a snapshot-sized envelope carrying its ack, built the way
 * GameV1 builds it (one template per room, the ack patched into each client's copy). What this process costs
 * at N players is what any Node.js server pays to move the same frames through Node and the kernel, so
 * GameV1's CPU minus the floor's is the cost of GameV1's own work (simulation, encoding, bookkeeping).
 *
 *   FLOOR_TRANSPORT=ws|uws|net TICK_RATE=20 SNAPSHOT_BYTES=186 PORT=0 node --import tsx bench/floor/server.ts
 *
 * `ws`: WebSockets through the `ws` library, as GameV1 serves them with WS_TRANSPORT=ws. `uws`: through
 * uWebSockets.js' native binary, as GameV1 serves them with WS_TRANSPORT=uws. `net`: the same frames read and
 * written by hand on the raw TCP socket, which shows what the `ws` library itself adds. The per-tick work is the
 * same code on every transport; only what carries the frames differs.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';
import { Histogram, Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { snapshotEnvelope, withAck } from '../../src/protocol/index.js';
import { RoomManager, TickLoop } from '../../src/rooms/index.js';
import { loadUws } from '../../src/transport/index.js';

const tickRate = Number(process.env.TICK_RATE ?? 20);
const snapshotBytes = Number(process.env.SNAPSHOT_BYTES ?? 186);
const TRANSPORTS = ['ws', 'uws', 'net'] as const;
type FloorTransport = (typeof TRANSPORTS)[number];
const transport = (process.env.FLOOR_TRANSPORT ?? 'ws') as FloorTransport;
if (!TRANSPORTS.includes(transport)) throw new Error(`FLOOR_TRANSPORT must be ${TRANSPORTS.join(', ')}, not ${transport}`);
const SUBPROTOCOL = 'gamev1.msgpack';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false });
const registry = new Registry();
const tickDuration = new Histogram({
  name: 'gamev1_tick_duration_seconds',
  help: 'One tick of every room: envelope building and the sends.',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.05, 0.075, 0.1, 0.25],
  registers: [registry],
});

interface FloorClient {
  send(frame: Buffer): void;
  /** The last input sequence received: the ack of the next snapshot. */
  ack: number;
  room: FloorRoom | undefined;
}

interface FloorRoom {
  id: string;
  clients: Set<FloorClient>;
  /** Stands in for the room's snapshot delta. */
  delta: Uint8Array;
}

const slices = Array.from({ length: RoomManager.slicesFor(tickRate) }, () => [] as FloorRoom[]);
const rooms = new Map<string, FloorRoom>();
let players = 0;
let tick = 0;

function roomNamed(id: string): FloorRoom {
  let room = rooms.get(id);
  if (!room) {
    room = { id, clients: new Set(), delta: deltaFor(id) };
    rooms.set(id, room);
    slices.reduce((emptiest, slice) => (slice.length < emptiest.length ? slice : emptiest)).push(room);
  }
  return room;
}

function onMessage(client: FloorClient, data: Buffer): void {
  const message = unpackr.unpack(data) as { type?: string; room_id?: string; sequence?: number };
  if (message.type === 'game_input') {
    client.ack = message.sequence ?? client.ack;
  } else if (message.type === 'auth') {
    client.send(packr.pack({ type: 'auth_ok', player_id: `floor-${++players}` }));
  } else if (message.type === 'join_room' && message.room_id) {
    client.room = roomNamed(message.room_id);
    client.room.clients.add(client);
    client.send(packr.pack({ type: 'room_joined', room_id: message.room_id }));
  }
}

function onClose(client: FloorClient): void {
  client.room?.clients.delete(client);
}

/** The delta length that makes the whole envelope `snapshotBytes` long, like GameV1's at rooms of 10. */
function deltaFor(roomId: string): Uint8Array {
  const empty = snapshotEnvelope(roomId, 1, 0, new Uint8Array(0)).template.length;
  return new Uint8Array(Math.max(0, snapshotBytes - empty)).fill(7);
}

function tickSlice(slice: number): void {
  if (slice === 0) tick++;
  for (const room of slices[slice]!) {
    if (room.clients.size === 0) continue;
    const envelope = snapshotEnvelope(room.id, tick, tick - 1, room.delta);
    for (const client of room.clients) client.send(withAck(envelope, client.ack));
  }
}

/** A node:http server answering /metrics; the ws and net floors carry /ws on it too. */
function metricsServer(): Server {
  return createServer((request, response) => {
    if (request.url === '/metrics') {
      void registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
    } else {
      response.writeHead(404).end();
    }
  });
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function serveWs(port: number): Promise<number> {
  const server = metricsServer();
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  wss.on('connection', (ws) => {
    const client: FloorClient = { send: (frame) => ws.send(frame), ack: 0, room: undefined };
    ws.on('message', (data: Buffer) => onMessage(client, data));
    ws.on('close', () => onClose(client));
  });
  return listenOn(server, port);
}

function serveNet(port: number): Promise<number> {
  const server = metricsServer();
  server.on('upgrade', (request, socket: Socket) => {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string') return socket.destroy();
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${SUBPROTOCOL}\r\n\r\n`,
    );
    socket.setNoDelay(true);
    const client: FloorClient = { send: (frame) => socket.write(binaryFrame(frame)), ack: 0, room: undefined };
    readFrames(socket, client);
    socket.on('close', () => onClose(client));
    socket.on('error', () => socket.destroy());
  });
  return listenOn(server, port);
}

/** /ws and /metrics on one uWebSockets.js app (its native binary, never the package's JavaScript fallback). */
function serveUws(port: number): Promise<number> {
  const loaded = loadUws();
  if ('error' in loaded) throw new Error(`FLOOR_TRANSPORT=uws: ${loaded.error}`);
  const { uws } = loaded;
  const app = uws.App();
  app.ws<{ client?: FloorClient }>('/ws', {
    compression: uws.DISABLED,
    // No idle timeout and no pings of the server's own, as on the ws and net floors.
    idleTimeout: 0,
    sendPingsAutomatically: false,
    upgrade: (res, req, context) => {
      const offered = req.getHeader('sec-websocket-protocol').split(',').map((protocol) => protocol.trim());
      const protocol = offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : '';
      res.upgrade({}, req.getHeader('sec-websocket-key'), protocol, req.getHeader('sec-websocket-extensions'), context);
    },
    open: (ws) => {
      ws.getUserData().client = { send: (frame) => ws.send(frame, true), ack: 0, room: undefined };
    },
    // The ArrayBuffer is valid only during this call, which is all onMessage needs.
    message: (ws, data) => onMessage(ws.getUserData().client!, Buffer.from(data)),
    close: (ws) => onClose(ws.getUserData().client!),
  });
  app.get('/metrics', (res) => {
    // uWebSockets requires an abort handler before answering later; an aborted response must not be touched.
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void registry.metrics().then((text) => {
      if (!aborted) res.cork(() => res.writeHeader('content-type', registry.contentType).end(text));
    });
  });
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').end();
  });
  return new Promise((resolve, reject) =>
    app.listen('127.0.0.1', port, (socket) => (socket ? resolve(uws.us_socket_local_port(socket)) : reject(new Error(`cannot listen on 127.0.0.1:${port}`)))),
  );
}

/** An unmasked, final, binary frame around `payload`, in one buffer so it goes out in one write. */
function binaryFrame(payload: Buffer): Buffer {
  const header = payload.length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + payload.length);
  frame[0] = 0x82;
  if (header === 2) {
    frame[1] = payload.length;
  } else {
    frame[1] = 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  payload.copy(frame, header);
  return frame;
}

/** Client frames (always masked, small here): binary ones go to onMessage, a close ends the socket. */
function readFrames(socket: Socket, client: FloorClient): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 6) {
      const opcode = pending[0]! & 0x0f;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) break;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        return socket.destroy(); // nothing this protocol sends is that large
      }
      if (pending.length < offset + 4 + length) break;
      const mask = pending.subarray(offset, offset + 4);
      const payload = pending.subarray(offset + 4, offset + 4 + length);
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      pending = pending.subarray(offset + 4 + length);
      if (opcode === 0x2) onMessage(client, payload);
      else if (opcode === 0x8) return socket.end();
    }
  });
}

const serve: Record<FloorTransport, (port: number) => Promise<number>> = { ws: serveWs, uws: serveUws, net: serveNet };

new TickLoop(tickRate, tickSlice, (seconds) => tickDuration.observe(seconds), slices.length).start();
const port = await serve[transport](Number(process.env.PORT ?? 0));
console.log(`floor (${transport}) listening on http://127.0.0.1:${port}`);
process.on('SIGTERM', () => process.exit(0));
