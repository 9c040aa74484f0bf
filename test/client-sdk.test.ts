import { WebSocket as NodeWebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GameV1Client,
  GameV1Error,
  SnapshotInterpolator,
  TypedEmitter,
  backoffDelay,
  lerpAngle,
  type CloseEventLike,
  type MessageEventLike,
  type SnapshotEvent,
  type WebSocketConstructor,
  type WebSocketLike,
} from '../client/src/index.js';
import { decodeFrame, encodeMessage, type Encoding } from '../src/protocol/codec.js';
import type { ClientMessage, ErrorCode, JsonPlayerState, JsonSnapshot, RoomPlayer, ServerMessage } from '../src/protocol/messages.js';
import { SnapshotEncoder } from '../src/protocol/snapshot.js';
import { toJsonSnapshot } from '../src/protocol/snapshot-json.js';
import { MatchPhase, type EntityState, type SnapshotState } from '../src/sim/types.js';

// Compile-time check: the `ws` package's WebSocket fits the SDK's WebSocket option.
const nodeWebSocket: WebSocketConstructor = NodeWebSocket;
void nodeWebSocket;

// ---- fixtures ---------------------------------------------------------------------------------------

const TICK_RATE = 20;
const ROOM_ID = 'room-1';

function entity(id: number, x: number, extra: Partial<EntityState> = {}): EntityState {
  return { id, x, y: 0, z: 500 - x, vx: 6000, vy: 0, vz: 0, yaw: 1571, health: 100, score: 0, deaths: 0, alive: 1, lastInput: 0, ...extra };
}

function state(tick: number, entities: EntityState[]): SnapshotState {
  return { tick, phase: MatchPhase.Playing, ticksLeft: 6000 - tick, entities };
}

const ann: RoomPlayer = { id: 'p-ann', name: 'Ann', entity_id: 1, connected: true };
const bob: RoomPlayer = { id: 'p-bob', name: 'Bob', entity_id: 2, connected: true };
const cat: RoomPlayer = { id: 'p-cat', name: 'Cat', entity_id: 3, connected: true };

const directoryOf = (players: RoomPlayer[]) => new Map(players.map((player) => [player.entity_id, { id: player.id, name: player.name }]));

/** An unsigned JWT with an `exp` claim: the SDK reads it only to know when to refresh. */
function jwt(subject: string, expiresInSeconds: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: subject, exp: Math.floor(Date.now() / 1000) + expiresInSeconds })}.sig`;
}

// ---- a scripted server behind a fake WebSocket -----------------------------------------------------

class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly received: ClientMessage[] = [];
  readonly frames: (string | Uint8Array)[] = [];

  constructor(
    private readonly server: FakeServer,
    readonly url: string,
    readonly protocols: string | string[] | undefined,
  ) {}

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.frames.push(data);
    const message = decodeFrame(data, typeof data !== 'string') as ClientMessage;
    this.received.push(message);
    this.server.handle(this, message);
  }

  close(code = 1000, reason = ''): void {
    this.closeWith({ code, reason });
  }

  // Server side:
  open(): void {
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
  }

  deliver(message: ServerMessage): void {
    const frame = encodeMessage(message, this.server.encoding);
    const data: MessageEventLike['data'] = typeof frame === 'string' ? frame : new Uint8Array(frame).buffer; // a copy: Node's Buffer may be a view on a pool
    this.onmessage?.({ data });
  }

  closeWith(event: CloseEventLike): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.(event);
  }

  sent<K extends ClientMessage['type']>(type: K): Extract<ClientMessage, { type: K }>[] {
    return this.received.filter((message): message is Extract<ClientMessage, { type: K }> => message.type === type);
  }
}

class FakeServer {
  readonly sockets: FakeSocket[] = [];
  readonly WebSocket: WebSocketConstructor;
  encoding: Encoding = 'msgpack';
  players: RoomPlayer[] = [ann, bob];
  /** What a join gets as its full snapshot. */
  current = state(10, [entity(1, 1500), entity(2, -3200)]);
  /** The guest form's token to return in auth_ok. */
  authToken: string | undefined;
  joinError: ErrorCode | undefined;
  /** Connection attempts to refuse (closed 1006 instead of opening). */
  refuse = 0;
  /** A frozen server answers nothing and closes nothing (a stopped process). */
  frozen = false;
  /** Whether it answers pings (the real server does; off so a test can time its own pong). */
  answersPings = false;
  private readonly encoder = new SnapshotEncoder();
  private joins = 0;

  constructor() {
    const server = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols);
        server.sockets.push(this);
        // Like a real socket, it opens (or fails) after the constructor returns.
        void Promise.resolve().then(() => (server.refuse-- > 0 ? this.closeWith({ code: 1006, reason: '' }) : this.open()));
      }
    };
  }

  get socket(): FakeSocket {
    return this.sockets[this.sockets.length - 1]!;
  }

  handle(socket: FakeSocket, message: ClientMessage): void {
    if (this.frozen) return;
    if (message.type === 'ping' && this.answersPings) socket.deliver({ type: 'pong', ...(message.t !== undefined && { t: message.t }) });
    if (message.type === 'auth') {
      socket.deliver({
        type: 'auth_ok',
        player_id: ann.id,
        display_name: ann.name,
        is_guest: true,
        ...(this.authToken !== undefined && { token: this.authToken }),
      });
    } else if (message.type === 'join_room') {
      if (this.joinError) {
        socket.deliver({ type: 'error', code: this.joinError, message: 'nope', ref: 'join_room' });
        return;
      }
      socket.deliver({
        type: 'room_joined',
        room_id: message.room_id,
        player_id: ann.id,
        entity_id: 1,
        room: {
          room_id: message.room_id,
          room_name: 'Arena',
          game_mode: 'deathmatch',
          host_id: ann.id,
          max_players: 8,
          player_count: this.players.length,
          status: 'playing',
          created_at: '2026-01-01T00:00:00.000Z',
        },
        players: this.players,
        tick_rate: TICK_RATE,
        snapshot_rate: TICK_RATE,
        resumed: this.joins++ > 0,
      });
      this.snapshot(this.current);
    }
  }

  /** Sends `next` as a delta against `base` (full without), or as JSON on JSON connections. */
  snapshot(next: SnapshotState, base?: SnapshotState, ack = 0): void {
    this.current = next;
    if (this.encoding === 'json') {
      const snapshot = toJsonSnapshot(next, directoryOf(this.players), TICK_RATE);
      this.socket.deliver({ type: 'game_snapshot', room_id: ROOM_ID, tick: next.tick, ack, snapshot });
      return;
    }
    const delta = this.encoder.encode(next, base);
    this.socket.deliver({ type: 'game_snapshot', room_id: ROOM_ID, tick: next.tick, ack, base: base ? base.tick : null, delta });
  }
}

interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** An HTTP server stand-in: guest, refresh and the room routes. */
function fakeHttp(accessTtlSeconds = 900) {
  const calls: FetchCall[] = [];
  let issued = 0;
  const tokens = () => {
    issued++;
    return {
      player: { id: ann.id, email: null, display_name: ann.name, is_guest: true, skill_rating: 1000, created_at: '2026-01-01T00:00:00.000Z' },
      access_token: jwt(ann.id, accessTtlSeconds),
      refresh_token: `refresh-${issued}`,
      token_type: 'Bearer',
      expires_in: accessTtlSeconds,
    };
  };
  // A bare stand-in rather than a real Response: reading a real body needs timers that fake timers freeze.
  const reply = (status: number, body: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    return { ok: status >= 200 && status < 300, status, text: async () => text } as unknown as Response;
  };
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, method, headers, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const path = new URL(url).pathname;
    if (path === '/auth/guest') return reply(201, tokens());
    if (path === '/auth/refresh') return reply(200, tokens());
    if (path === '/auth/login') return reply(401, { statusCode: 401, code: 'invalid_credentials', message: 'email or password is incorrect' });
    if (path === '/api/rooms/create') {
      const body = calls[calls.length - 1]!.body as Record<string, unknown>;
      // As the server does: a room without game_mode gets the default mode.
      return reply(201, { room_id: 'r-new', game_mode: 'deathmatch', ...body, host_id: ann.id, player_count: 0, status: 'waiting', created_at: 'now' });
    }
    if (path === '/api/rooms/list') return reply(200, { rooms: [] });
    return reply(404, { statusCode: 404, code: 'not_found', message: 'no route' });
  };
  return { fetch: fetchImpl, calls };
}

function setup(options: { encoding?: Encoding; accessTtlSeconds?: number; maxAttempts?: number } = {}) {
  const server = new FakeServer();
  if (options.encoding) server.encoding = options.encoding;
  const http = fakeHttp(options.accessTtlSeconds);
  const client = new GameV1Client('http://game.test:3000/', {
    WebSocket: server.WebSocket,
    fetch: http.fetch,
    ...(options.encoding && { encoding: options.encoding }),
    reconnect: { maxAttempts: options.maxAttempts ?? 5, minDelayMs: 100, maxDelayMs: 1000 },
  });
  const snapshots: SnapshotEvent[] = [];
  client.on('snapshot', (event) => snapshots.push(event));
  return { server, http, client, snapshots };
}

async function joined(options: Parameters<typeof setup>[0] = {}) {
  const context = setup(options);
  await context.client.connect();
  await context.client.joinRoom(ROOM_ID);
  return context;
}

// ---- the client -------------------------------------------------------------------------------------

describe('GameV1Client over a fake WebSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gets a guest token over HTTP, then opens /ws with the msgpack subprotocol and authenticates', async () => {
    const { server, http, client } = setup();
    const authOk = await client.connect();
    expect(authOk).toMatchObject({ type: 'auth_ok', player_id: ann.id, is_guest: true });
    expect(http.calls.map((call) => `${call.method} ${call.url}`)).toEqual(['POST http://game.test:3000/auth/guest']);
    expect(client.player?.id).toBe(ann.id);
    expect(server.sockets).toHaveLength(1);
    expect(server.socket.url).toBe('ws://game.test:3000/ws');
    expect(server.socket.protocols).toEqual(['gamev1.msgpack']);
    expect(server.socket.binaryType).toBe('arraybuffer');
    expect(server.socket.received).toEqual([{ type: 'auth', token: client.accessToken }]);
    expect(server.socket.frames[0]).toBeInstanceOf(Uint8Array);
    expect(client.connected).toBe(true);
  });

  it('decodes full and delta snapshots to exactly what toJsonSnapshot gives, and acks the newest tick on inputs', async () => {
    const { server, client, snapshots } = await joined();
    const s0 = server.current;
    expect(client.roomId).toBe(ROOM_ID);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toEqual({
      room_id: ROOM_ID,
      tick: 10,
      ack: 0,
      snapshot: toJsonSnapshot(s0, directoryOf([ann, bob]), TICK_RATE),
      raw: s0,
    });

    expect(client.sendInput({ movement: { x: 1, y: 0, z: 0 }, actions: ['jump'] })).toBe(1);
    expect(server.socket.sent('game_input').at(-1)).toEqual({
      type: 'game_input',
      room_id: ROOM_ID,
      sequence: 1,
      input: { movement: { x: 1, y: 0, z: 0 }, actions: ['jump'] },
      ack: 10,
    });

    const s1 = state(11, [entity(1, 1800, { lastInput: 1 }), entity(2, -3200)]);
    server.snapshot(s1, s0, 1);
    expect(snapshots[1]).toEqual({ room_id: ROOM_ID, tick: 11, ack: 1, snapshot: toJsonSnapshot(s1, directoryOf([ann, bob]), TICK_RATE), raw: s1 });

    // A newcomer enters the directory; a leaver drops out of it (and out of the state).
    server.socket.deliver({ type: 'player_joined', room_id: ROOM_ID, player: cat });
    const s2 = state(12, [entity(1, 2100, { lastInput: 1 }), entity(2, -3000, { yaw: -3141 }), entity(3, 0)]);
    server.snapshot(s2, s1);
    expect(snapshots[2]!.snapshot).toEqual(toJsonSnapshot(s2, directoryOf([ann, bob, cat]), TICK_RATE));
    expect(snapshots[2]!.snapshot.players.map((player) => player.name)).toEqual(['Ann', 'Bob', 'Cat']);

    server.socket.deliver({ type: 'player_left', room_id: ROOM_ID, player: bob, reason: 'left' });
    const s3 = state(13, [entity(1, 2400, { lastInput: 2 }), entity(3, 300)]);
    server.snapshot(s3, s1); // encoded against an older acknowledged baseline: still held
    expect(snapshots[3]!.snapshot).toEqual(toJsonSnapshot(s3, directoryOf([ann, cat]), TICK_RATE));

    expect(client.sendInput({ movement: { x: 0, y: 0, z: 1 }, aim: { x: 0, y: 0, z: 1 } })).toBe(2);
    expect(client.sendInput({ movement: { x: 0, y: 0, z: 1 } })).toBe(3);
    const inputs = server.socket.sent('game_input');
    expect(inputs.map((input) => input.sequence)).toEqual([1, 2, 3]);
    expect(inputs.map((input) => input.ack)).toEqual([10, 13, 13]);
    expect(inputs[1]!.input.aim).toEqual({ x: 0, y: 0, z: 1 });
  });

  it('skips a delta whose baseline it does not hold, without throwing, and points the server at its newest tick', async () => {
    const { server, snapshots } = await joined();
    const s0 = server.current;
    const unknownBase = state(5, [entity(1, 0)]);
    const s1 = state(11, [entity(1, 1600), entity(2, -3200)]);
    expect(() => server.snapshot(s1, unknownBase)).not.toThrow();
    expect(snapshots).toHaveLength(1);
    expect(server.socket.sent('snapshot_ack').at(-1)).toEqual({ type: 'snapshot_ack', room_id: ROOM_ID, tick: 10 });

    // Garbage is skipped too.
    server.socket.deliver({ type: 'game_snapshot', room_id: ROOM_ID, tick: 12, ack: 0, base: null, delta: new Uint8Array([0, 1]) });
    expect(snapshots).toHaveLength(1);

    // The stream carries on from a baseline it does hold.
    const s2 = state(12, [entity(1, 1700), entity(2, -3200)]);
    server.snapshot(s2, s0);
    expect(snapshots[1]!.snapshot).toEqual(toJsonSnapshot(s2, directoryOf([ann, bob]), TICK_RATE));
  });

  it('acknowledges with snapshot_ack after ~100 ms without inputs, and not when an input carried the ack', async () => {
    const { server, client } = await joined();
    const s0 = server.current;
    await vi.advanceTimersByTimeAsync(99);
    expect(server.socket.sent('snapshot_ack')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.socket.sent('snapshot_ack')).toEqual([{ type: 'snapshot_ack', room_id: ROOM_ID, tick: 10 }]);

    const s1 = state(11, [entity(1, 1600), entity(2, -3200)]);
    server.snapshot(s1, s0);
    client.sendInput({ movement: { x: 1, y: 0, z: 0 } });
    await vi.advanceTimersByTimeAsync(500);
    expect(server.socket.sent('snapshot_ack')).toHaveLength(1);
    expect(server.socket.sent('game_input')[0]!.ack).toBe(11);
  });

  it('emits JSON snapshots as they come on a JSON connection, sending text frames', async () => {
    const { server, client, snapshots } = await joined({ encoding: 'json' });
    expect(server.socket.protocols).toEqual(['gamev1.json']);
    expect(typeof server.socket.frames[0]).toBe('string');
    expect(snapshots).toEqual([
      { room_id: ROOM_ID, tick: 10, ack: 0, snapshot: toJsonSnapshot(server.current, directoryOf([ann, bob]), TICK_RATE), raw: undefined },
    ]);
    client.sendInput({ movement: { x: 1, y: 0, z: 0 } });
    expect(server.socket.sent('game_input')[0]).not.toHaveProperty('ack');
  });

  it('rejects joinRoom with the server error code and still emits the error', async () => {
    const { server, client } = setup();
    await client.connect();
    server.joinError = 'room_full';
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.code));
    const failure = await client.joinRoom(ROOM_ID).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GameV1Error);
    expect(failure).toMatchObject({ code: 'room_full', status: 0 });
    expect(errors).toEqual(['room_full']);
    expect(client.roomId).toBeUndefined();
    expect(client.sendInput({ movement: { x: 1, y: 0, z: 0 } })).toBe(0);
  });

  it('reconnects after an unexpected close: re-auths, rejoins the same room, resets baselines', async () => {
    const { server, client, snapshots } = await joined();
    const before = server.current;
    server.current = state(20, [entity(1, 5000), entity(2, -3000)]); // what the rejoin will get in full
    client.sendInput({ movement: { x: 1, y: 0, z: 0 } });
    const token = client.accessToken;

    const events: string[] = [];
    client.on('disconnected', (event) => events.push(`disconnected ${event.code} ${event.willReconnect}`));
    client.on('reconnecting', (event) => events.push(`reconnecting ${event.attempt}`));
    const reconnected = client.once('reconnected');
    server.socket.closeWith({ code: 1006, reason: '' });
    expect(client.connected).toBe(false);
    expect(client.sendInput({ movement: { x: 1, y: 0, z: 0 } })).toBe(0);

    await vi.advanceTimersByTimeAsync(1000);
    const event = await reconnected;
    expect(events).toEqual(['disconnected 1006 true', 'reconnecting 1']);
    expect(event.room).toMatchObject({ room_id: ROOM_ID, resumed: true });
    expect(server.sockets).toHaveLength(2);
    expect(server.socket.received.slice(0, 2)).toEqual([
      { type: 'auth', token },
      { type: 'join_room', room_id: ROOM_ID },
    ]);
    // The rejoin brought a full snapshot; a delta against a pre-disconnect baseline is no longer usable.
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]!.raw).toEqual(server.current);
    server.snapshot(state(30, [entity(1, 9000), entity(2, 0)]), before);
    expect(snapshots).toHaveLength(2);

    // Sequences carry on: the resumed seat remembers the last applied one.
    expect(client.sendInput({ movement: { x: 1, y: 0, z: 0 } })).toBe(2);
    expect(server.socket.sent('game_input')[0]).toMatchObject({ sequence: 2, ack: 20 });
  });

  it('gives up a connection to a server that went silent, retries past attempts it never answers, and rejoins', async () => {
    const { server, client } = await joined();
    server.answersPings = true;
    const events: string[] = [];
    client.on('disconnected', (event) => events.push(`disconnected ${event.code} ${event.willReconnect}`));
    client.on('reconnecting', (event) => events.push(`reconnecting ${event.attempt}`));
    // An idle but live server is pinged and answers: the connection stays.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(events).toEqual([]);
    expect(server.socket.sent('ping').length).toBeGreaterThanOrEqual(5);

    server.frozen = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events).toEqual(['disconnected 1006 true', 'reconnecting 1']);
    // The next attempt's socket opens but its auth is never answered: it too is given up after 5 s.
    await vi.advanceTimersByTimeAsync(1_000 + 5_000);
    expect(events).toEqual(['disconnected 1006 true', 'reconnecting 1', 'reconnecting 2']);
    const reconnected = client.once('reconnected');
    server.frozen = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await reconnected).room).toMatchObject({ room_id: ROOM_ID, resumed: true });
  });

  it('waits for the close when silenceMs is 0', async () => {
    const server = new FakeServer();
    const client = new GameV1Client('http://game.test:3000/', { WebSocket: server.WebSocket, fetch: fakeHttp().fetch, reconnect: { silenceMs: 0 } });
    await client.connect();
    server.frozen = true;
    const events: string[] = [];
    client.on('disconnected', () => events.push('disconnected'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events).toEqual([]);
    expect(server.socket.sent('ping')).toEqual([]);
  });

  it('shares one join when the application rejoins the room itself as a reconnect does', async () => {
    const { server, client } = await joined();
    const ownJoins: Promise<unknown>[] = [];
    client.on('auth_ok', () => ownJoins.push(client.joinRoom(ROOM_ID)));
    const reconnected = client.once('reconnected');
    server.socket.closeWith({ code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(1000);
    const event = await reconnected;
    expect(event.room).toMatchObject({ room_id: ROOM_ID });
    await expect(ownJoins[0]).resolves.toMatchObject({ room_id: ROOM_ID });
    expect(server.socket.sent('join_room')).toEqual([{ type: 'join_room', room_id: ROOM_ID }]);
  });

  it('keeps the guest form token from auth_ok to reconnect as the same player', async () => {
    const { server, client } = await joined();
    server.authToken = 'guest-form-token';
    server.socket.closeWith({ code: 1006, reason: '' });
    const reconnected = client.once('reconnected');
    await vi.advanceTimersByTimeAsync(1000);
    await reconnected;
    expect(client.accessToken).toBe('guest-form-token');
    server.socket.closeWith({ code: 1001, reason: 'shutting down' });
    const again = client.once('reconnected');
    await vi.advanceTimersByTimeAsync(2000);
    await again;
    expect(server.socket.received[0]).toEqual({ type: 'auth', token: 'guest-form-token' });
  });

  it('refreshes an expiring access token over HTTP before re-authenticating', async () => {
    const { server, client, http } = await joined({ accessTtlSeconds: 60 });
    const firstToken = client.accessToken;
    vi.setSystemTime(Date.now() + 45_000); // within the refresh margin
    server.socket.closeWith({ code: 1006, reason: '' });
    const reconnected = client.once('reconnected');
    await vi.advanceTimersByTimeAsync(1000);
    await reconnected;
    const refresh = http.calls.find((call) => call.url.endsWith('/auth/refresh'));
    expect(refresh).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer refresh-1' }, body: undefined });
    expect(client.accessToken).not.toBe(firstToken);
    expect(server.socket.received[0]).toEqual({ type: 'auth', token: client.accessToken });
  });

  it('backs off between failed attempts and gives up after maxAttempts', async () => {
    const { server, client } = await joined({ maxAttempts: 3 });
    const attempts: { attempt: number; delayMs: number }[] = [];
    client.on('reconnecting', (event) => attempts.push(event));
    const failed = client.once('reconnect_failed');
    server.refuse = 10;
    server.socket.closeWith({ code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(10_000);
    const event = await failed;
    expect(event.attempts).toBe(3);
    expect(event.error).toMatchObject({ code: 'connection_closed' });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    for (const { delayMs } of attempts) {
      expect(delayMs).toBeGreaterThanOrEqual(100);
      expect(delayMs).toBeLessThanOrEqual(1000);
    }
    expect(server.sockets).toHaveLength(4);
    expect(client.roomId).toBeUndefined();
  });

  it('retries until a connection attempt succeeds', async () => {
    const { server, client } = await joined();
    server.refuse = 2;
    server.socket.closeWith({ code: 1006, reason: '' });
    const reconnected = client.once('reconnected');
    await vi.advanceTimersByTimeAsync(5000);
    expect((await reconnected).room?.room_id).toBe(ROOM_ID);
    expect(server.sockets).toHaveLength(4);
  });

  it('does not reconnect after close(), nor after close codes 4003 and 4004', async () => {
    for (const code of [1000, 4003, 4004]) {
      const { server, client } = await joined();
      const disconnected = client.once('disconnected');
      if (code === 1000) client.close();
      else server.socket.closeWith({ code, reason: '' });
      expect(await disconnected).toEqual({ code, reason: code === 1000 ? 'client closed' : '', willReconnect: false });
      await vi.advanceTimersByTimeAsync(30_000);
      expect(server.sockets).toHaveLength(1);
      expect(client.roomId).toBeUndefined();
    }
  });

  it('turns HTTP errors into GameV1Error and calls the room routes with the access token', async () => {
    const { client, http } = setup();
    await expect(client.login('a@example.com', 'wrong-password')).rejects.toMatchObject({
      name: 'GameV1Error',
      status: 401,
      code: 'invalid_credentials',
      message: 'email or password is incorrect',
    });
    await expect(client.createRoom({ room_name: 'Arena' })).rejects.toMatchObject({ code: 'not_authenticated' });
    await client.guest('Ann');
    expect(http.calls[1]!.body).toEqual({ display_name: 'Ann' });
    const room = await client.createRoom({ room_name: 'Arena', max_players: 4 });
    expect(room).toMatchObject({ room_id: 'r-new', room_name: 'Arena', game_mode: 'deathmatch', max_players: 4 });
    // The mode is left to the server unless asked for.
    expect(http.calls[2]!.body).toEqual({ room_name: 'Arena', max_players: 4 });
    expect(http.calls[2]!.headers.authorization).toBe(`Bearer ${client.accessToken}`);
    expect(await client.listRooms()).toEqual([]);
  });

  it('sends chat, WebRTC signalling and pings, and reports the pong round trip', async () => {
    const { server, client } = await joined();
    client.chat('hello');
    client.chat('everyone', 'global');
    client.sendWebRtc('webrtc_offer', bob.id, 'v=0');
    client.sendWebRtc('webrtc_ice', bob.id, { candidate: 'c' });
    expect(server.socket.sent('chat')).toEqual([
      { type: 'chat', message: 'hello', message_type: 'room', room_id: ROOM_ID },
      { type: 'chat', message: 'everyone', message_type: 'global' },
    ]);
    expect(server.socket.sent('webrtc_offer')).toEqual([{ type: 'webrtc_offer', room_id: ROOM_ID, peer_id: bob.id, sdp: 'v=0' }]);
    expect(server.socket.sent('webrtc_ice')).toEqual([{ type: 'webrtc_ice', room_id: ROOM_ID, peer_id: bob.id, candidate: { candidate: 'c' } }]);

    const pong = client.once('pong');
    client.ping();
    const { t } = server.socket.sent('ping')[0]!;
    vi.advanceTimersByTime(25);
    server.socket.deliver({ type: 'pong', ...(t !== undefined && { t }) });
    expect((await pong).rtt_ms).toBe(25);

    const offer = client.once('webrtc_offer');
    server.socket.deliver({ type: 'webrtc_offer', room_id: ROOM_ID, from: bob.id, sdp: 'v=0' });
    expect(await offer).toEqual({ type: 'webrtc_offer', room_id: ROOM_ID, from: bob.id, sdp: 'v=0' });
  });

  it('leaves the room and does not rejoin it after a reconnect', async () => {
    const { server, client } = await joined();
    const left = client.leaveRoom();
    expect(server.socket.sent('leave_room')).toEqual([{ type: 'leave_room', room_id: ROOM_ID }]);
    server.socket.deliver({ type: 'room_left', room_id: ROOM_ID });
    await left;
    expect(client.roomId).toBeUndefined();
    const reconnected = client.once('reconnected');
    server.socket.closeWith({ code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await reconnected).room).toBeUndefined();
    expect(server.socket.sent('join_room')).toEqual([]);
  });
});

// ---- pieces -------------------------------------------------------------------------------------------

describe('TypedEmitter', () => {
  interface Events {
    hit: { damage: number };
    ping: number;
  }

  it('delivers to listeners until unsubscribed, and once() resolves with the next payload', async () => {
    const emitter = new TypedEmitter<Events>();
    const hits: number[] = [];
    const off = emitter.on('hit', ({ damage }) => hits.push(damage));
    const other = (n: number) => hits.push(n * 100);
    emitter.on('ping', other);
    emitter.emit('hit', { damage: 10 });
    emitter.emit('ping', 2);
    off();
    emitter.off('ping', other);
    emitter.emit('hit', { damage: 20 });
    emitter.emit('ping', 3);
    expect(hits).toEqual([10, 200]);
    expect(emitter.listenerCount('hit')).toBe(0);

    const next = emitter.once('ping');
    emitter.emit('ping', 7);
    emitter.emit('ping', 8);
    expect(await next).toBe(7);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('lets a listener unsubscribe itself while an event is being delivered', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = emitter.on('ping', () => {
      seen.push('a');
      off();
    });
    emitter.on('ping', () => seen.push('b'));
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    expect(seen).toEqual(['a', 'b', 'b']);
  });
});

describe('backoffDelay', () => {
  const options = { enabled: true, maxAttempts: 10, minDelayMs: 250, maxDelayMs: 5000 };

  it('doubles up to the maximum and stays within [min, max] whatever the jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 1))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([250, 500, 1000, 2000, 2500, 2500]);
  });
});

describe('SnapshotInterpolator', () => {
  const player = (entityId: number, x: number, extra: Partial<JsonPlayerState> = {}): JsonPlayerState => ({
    entity_id: entityId,
    id: `p${entityId}`,
    name: `P${entityId}`,
    position: { x, y: 0, z: 0 },
    velocity: { x: 1, y: 0, z: 0 },
    yaw: 0,
    health: 100,
    score: 0,
    deaths: 0,
    alive: true,
    last_input_sequence: 0,
    ...extra,
  });
  const snap = (tick: number, players: JsonPlayerState[]): JsonSnapshot => ({ tick, phase: 'playing', time_left: 100, players });
  /** 20 Hz: tick n is produced at n × 50 ms; deliveries here take no time unless stated. */
  const at = (tick: number) => tick * 50;

  it('interpolates between the snapshots around the render time', () => {
    const interpolator = new SnapshotInterpolator(20);
    expect(interpolator.sample(0)).toEqual([]);
    for (const tick of [1, 2, 3]) interpolator.push(snap(tick, [player(1, tick)]), at(tick));
    // now 175 - delay 100 = 75 ms = tick 1.5
    expect(interpolator.renderTick(175)).toBeCloseTo(1.5);
    const [p] = interpolator.sample(175);
    expect(p!.position.x).toBeCloseTo(1.5);
    expect(interpolator.sample(190, 100)[0]!.position.x).toBeCloseTo(1.8);
  });

  it('clamps at both ends and drops snapshots the render time has passed', () => {
    const interpolator = new SnapshotInterpolator(20);
    for (const tick of [10, 11, 12, 13]) interpolator.push(snap(tick, [player(1, tick)]), at(tick));
    expect(interpolator.sample(at(10), 100)[0]!.position.x).toBe(10); // before the first: the first
    expect(interpolator.size).toBe(4);
    expect(interpolator.sample(at(12) + 100, 100)[0]!.position.x).toBe(12);
    expect(interpolator.size).toBe(2); // ticks 10 and 11 are behind the render time for good
    expect(interpolator.sample(at(20), 100)[0]!.position.x).toBe(13); // past the last: no extrapolation
    expect(interpolator.size).toBe(1);
  });

  it('maps receive times through the tick, so jittery arrivals still render evenly', () => {
    const interpolator = new SnapshotInterpolator(20);
    const latency = 40;
    const jitter = [0, 30, 5, 25, 0, 10];
    jitter.forEach((extra, i) => interpolator.push(snap(i + 1, [player(1, i + 1)]), at(i + 1) + latency + extra));
    // The offset follows the fastest delivery (40 ms), rising only slowly after later ones (40.5 ms here):
    // render tick = (now - 100 - 40.5) / 50.
    expect(interpolator.sample(at(3.25) + 100 + latency)[0]!.position.x).toBeCloseTo(3.24);
  });

  it('interpolates yaw the short way round and snaps teleports and respawns', () => {
    const interpolator = new SnapshotInterpolator(20, { teleportDistance: 5 });
    interpolator.push(snap(1, [player(1, 0, { yaw: 3.0 }), player(2, 0), player(3, 0, { alive: false })]), at(1));
    interpolator.push(snap(2, [player(1, 1, { yaw: -3.0 }), player(2, 50), player(3, 1)]), at(2));
    const early = interpolator.sample(at(1.25) + 100);
    expect(early[0]!.yaw).toBeCloseTo(3.0 + (2 * Math.PI - 6) / 4);
    expect(early[1]!.position.x).toBe(0); // teleported: shown at the nearer snapshot
    expect(early[2]).toMatchObject({ alive: false, position: { x: 0 } });
    const late = interpolator.sample(at(1.75) + 100);
    expect(late[1]!.position.x).toBe(50);
    expect(late[2]).toMatchObject({ alive: true, position: { x: 1 } });
    expect(lerpAngle(-3.0, 3.0, 0.5)).toBeCloseTo(-Math.PI);
  });

  it('shows players appearing and leaving from the nearer snapshot', () => {
    const interpolator = new SnapshotInterpolator(20);
    interpolator.push(snap(1, [player(1, 0), player(2, 0)]), at(1));
    interpolator.push(snap(2, [player(1, 1), player(3, 5)]), at(2));
    expect(interpolator.sample(at(1.25) + 100).map((p) => p.entity_id)).toEqual([1, 2]);
    expect(interpolator.sample(at(1.75) + 100).map((p) => p.entity_id)).toEqual([1, 3]);
  });

  it('starts over when ticks go back (a new match or room)', () => {
    const interpolator = new SnapshotInterpolator(20);
    interpolator.push(snap(100, [player(1, 100)]), at(100));
    interpolator.push(snap(101, [player(1, 101)]), at(101));
    interpolator.push(snap(1, [player(7, 1)]), at(102));
    expect(interpolator.size).toBe(1);
    expect(interpolator.sample(at(102)).map((p) => p.entity_id)).toEqual([7]);
  });
});
