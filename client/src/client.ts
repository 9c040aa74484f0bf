import { BINARY_SUBPROTOCOL, JSON_SUBPROTOCOL, decodeServerFrame, encodeMessage, type Encoding } from '../../src/protocol/codec.js';
import type {
  LeaderboardDefinition,
  LeaderboardPage,
  LeaderboardPeriods,
  LeagueHistory,
  LeagueInfo,
  LeagueStanding,
  DivisionStandings,
  LeaderboardRecord,
  MatchReport,
  PlayerRole,
  ReopenResult,
  Role,
  RoomInfo,
  ScoreSubmission,
  TournamentDetails,
  TournamentEvent,
  TournamentSettings,
  TournamentSummary,
} from '../../src/api/index.js';
import type { ClientMessage, ClientMessageOf, ServerMessage, Vec3 } from '../../src/protocol/messages.js';
import { backoffDelay, resolveReconnectOptions, type ReconnectOptions, type ResolvedReconnectOptions } from './backoff.js';
import { SilenceWatchdog } from './watchdog.js';
import { TypedEmitter } from './emitter.js';
import { GameV1Error, closeError } from './errors.js';
import type { AuthOk, ClientEvents, ReconnectedEvent, RoomJoined } from './events.js';
import type { Logger } from './logger.js';
import {
  AuthSession,
  type CreateRoomRequest,
  type FetchLike,
  type ListRoomsFilter,
  type MatchmakingStatus,
  type Player,
  type QueueRequest,
} from './session.js';
import { SnapshotTracker } from './snapshots.js';
import { LeaderboardRequests, type LeaderboardQuery } from './leaderboards.js';
import { LeagueRequests } from './leagues.js';
import { TournamentRequests, type TournamentEventsQuery, type TournamentFilter } from './tournaments.js';
import { WS_OPEN, frameData, globalWebSocket, serverUrls, type WebSocketConstructor, type WebSocketLike } from './transport.js';

export interface GameV1ClientOptions {
  /** Frame encoding; 'msgpack' (default) also gets compact delta snapshots. */
  encoding?: Encoding;
  /** WebSocket implementation; required on Node 20 (e.g. `import { WebSocket } from 'ws'`). */
  WebSocket?: WebSocketConstructor;
  /** fetch implementation; defaults to the global one. */
  fetch?: FetchLike;
  reconnect?: ReconnectOptions;
  logger?: Logger;
}

export interface InputCommand {
  /** Desired horizontal direction (x, z); longer than 1 is clamped by the server. */
  movement: Vec3;
  /** E.g. 'jump', 'shoot'. */
  actions?: string[];
  /** Look and shooting direction. */
  aim?: Vec3;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Seats and rooms that no longer exist: rejoining them after a reconnect is pointless, not a failed attempt. */
const ROOM_GONE_CODES: ReadonlySet<string> = new Set(['room_not_found', 'room_full']);

/**
 * Client for a GameV1 server: HTTP auth and rooms, plus the real-time WebSocket with delta snapshot
 * decoding and automatic reconnection (same player, same room seat).
 */
export class GameV1Client {
  private readonly emitter = new TypedEmitter<ClientEvents>();
  private readonly session: AuthSession;
  private readonly tournaments: TournamentRequests;
  private readonly leaderboards: LeaderboardRequests;
  private readonly leagues: LeagueRequests;
  private readonly snapshots: SnapshotTracker;
  private readonly urls: { http: string; ws: string };
  private readonly encoding: Encoding;
  private readonly reconnectOptions: ResolvedReconnectOptions;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private readonly logger: Logger;

  private socket: WebSocketLike | undefined;
  private readonly watchdog: SilenceWatchdog;
  private authOk: AuthOk | undefined;
  private connecting: Promise<AuthOk> | undefined;
  private pendingAuth: Deferred<AuthOk> | undefined;
  private pendingJoin: { roomId: string; result: Deferred<RoomJoined> } | undefined;
  private pendingLeave: Deferred<void> | undefined;
  /** The room this connection sits in (set by `room_joined`). */
  private room: RoomJoined | undefined;
  /** The room to rejoin after a reconnect. */
  private resumeRoomId: string | undefined;
  /** The /ws of the node hosting the room, once a join was sent there (room_elsewhere); else the server's own. */
  private roomNodeUrl: string | undefined;
  private sequence = 0;
  private closedByUser = false;
  private reconnecting = false;
  /** Cuts a reconnect backoff short when close() is called. */
  private wakeUp: (() => void) | undefined;

  constructor(serverUrl: string, options: GameV1ClientOptions = {}) {
    this.urls = serverUrls(serverUrl);
    this.encoding = options.encoding ?? 'msgpack';
    this.reconnectOptions = resolveReconnectOptions(options.reconnect);
    this.watchdog = new SilenceWatchdog(
      this.reconnectOptions.silenceMs,
      // Only once authenticated: until then the one answer that counts is auth_ok.
      () => this.authOk !== undefined && this.send({ type: 'ping', t: Date.now() }),
      () => this.onSilence(),
    );
    this.WebSocketImpl = options.WebSocket ?? globalWebSocket();
    this.logger = options.logger ?? {};
    const fetchImpl = options.fetch ?? globalThis.fetch;
    // Called detached: browsers refuse window.fetch invoked as a method of another object.
    this.session = new AuthSession(this.urls.http, (input, init) => fetchImpl(input, init), (pair) => this.emitter.emit('tokens', pair));
    this.tournaments = new TournamentRequests(this.session);
    this.leaderboards = new LeaderboardRequests(this.session);
    this.leagues = new LeagueRequests(this.session);
    this.snapshots = new SnapshotTracker((tick) => this.sendSnapshotAck(tick), this.logger);
  }

  // ---- events -------------------------------------------------------------------------------------

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Resolves with the next payload of `event`. */
  once<K extends keyof ClientEvents>(event: K): Promise<ClientEvents[K]> {
    return this.emitter.once(event);
  }

  // ---- state --------------------------------------------------------------------------------------

  /** The player from the last register/login/guest/refresh. */
  get player(): Player | undefined {
    return this.session.player;
  }

  get accessToken(): string | undefined {
    return this.session.tokens.access;
  }

  /** An access token fit for use now (rotated first when it is about to expire), for calls the SDK does not make itself. */
  freshAccessToken(): Promise<string> {
    return this.session.accessToken();
  }

  /** True while authenticated on an open socket. */
  get connected(): boolean {
    return this.isReady();
  }

  /** The current room's id, while in one. */
  get roomId(): string | undefined {
    return this.room?.room_id;
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  register(email: string, password: string, displayName?: string): Promise<Player> {
    return this.session.register(email, password, displayName);
  }

  login(email: string, password: string): Promise<Player> {
    return this.session.login(email, password);
  }

  guest(displayName?: string): Promise<Player> {
    return this.session.guest(displayName);
  }

  refresh(): Promise<Player> {
    return this.session.refresh();
  }

  /** Resumes a session from a stored refresh token (spent: keep the pair of the `tokens` event that follows). */
  resume(refreshToken: string): Promise<Player> {
    return this.session.resume(refreshToken);
  }

  /** Closes the connection (as close()) and ends the session on the server; the tokens are forgotten. */
  logout(): Promise<void> {
    this.close();
    return this.session.logout();
  }

  createRoom(room: CreateRoomRequest): Promise<RoomInfo> {
    return this.session.createRoom(room);
  }

  listRooms(filter?: ListRoomsFilter): Promise<RoomInfo[]> {
    return this.session.listRooms(filter);
  }

  /** Joins the matchmaking queue; a formed match arrives as the `match_found` event (and in the status). */
  queueForMatch(request: QueueRequest): Promise<MatchmakingStatus> {
    return this.session.queue(request);
  }

  cancelQueue(): Promise<MatchmakingStatus> {
    return this.session.cancelQueue();
  }

  matchmakingStatus(): Promise<MatchmakingStatus> {
    return this.session.matchmakingStatus();
  }

  // ---- leaderboards --------------------------------------------------------------------------------

  listLeaderboards(): Promise<LeaderboardDefinition[]> {
    return this.leaderboards.list();
  }

  /** A period's records: the top, `around` one player, or only some `players`. */
  getLeaderboard(id: string, options?: LeaderboardQuery): Promise<LeaderboardPage> {
    return this.leaderboards.get(id, options);
  }

  /** The board's current period and its closed ones (ids to read with `{ period }`), newest first. */
  leaderboardPeriods(id: string): Promise<LeaderboardPeriods> {
    return this.leaderboards.periods(id);
  }

  /** The logged-in player's record with its neighbours (no records when the player has none). */
  myLeaderboardRecord(id: string, options?: Pick<LeaderboardQuery, 'period' | 'radius'>): Promise<LeaderboardPage> {
    return this.leaderboards.mine(id, options);
  }

  /** Admins only. */
  createLeaderboard(definition: LeaderboardDefinition): Promise<LeaderboardDefinition> {
    return this.leaderboards.create(definition);
  }

  /** Admins only: a score is the server's word. */
  submitScore(id: string, score: ScoreSubmission): Promise<LeaderboardRecord> {
    return this.leaderboards.submit(id, score);
  }

  // ---- leagues -------------------------------------------------------------------------------------

  /** The league's game mode, tiers, rules and seasons. */
  league(): Promise<LeagueInfo> {
    return this.leagues.info();
  }

  /** The logged-in player's standing this season (or in `season`); fails with not_a_member before a league game. */
  myLeagueStanding(season?: number): Promise<LeagueStanding> {
    return this.leagues.mine(season);
  }

  myLeagueHistory(): Promise<LeagueHistory> {
    return this.leagues.myHistory();
  }

  leagueStanding(playerId: string, season?: number): Promise<LeagueStanding> {
    return this.leagues.player(playerId, season);
  }

  leagueHistory(playerId: string): Promise<LeagueHistory> {
    return this.leagues.playerHistory(playerId);
  }

  /** A division group's table (`division_id` from a standing), zones included. */
  leagueDivision(season: number, divisionId: string): Promise<DivisionStandings> {
    return this.leagues.division(season, divisionId);
  }

  // ---- tournaments ---------------------------------------------------------------------------------

  listTournaments(filter?: TournamentFilter): Promise<TournamentSummary[]> {
    return this.tournaments.list(filter);
  }

  /** Entrants, every match so far (with its room while it is played), standings and final places. */
  getTournament(id: string): Promise<TournamentDetails> {
    return this.tournaments.get(id);
  }

  /** The tournament's event log, oldest first. */
  tournamentEvents(id: string, query?: TournamentEventsQuery): Promise<TournamentEvent[]> {
    return this.tournaments.events(id, query);
  }

  /** Organizers and admins only. */
  createTournament(settings: TournamentSettings): Promise<TournamentDetails> {
    return this.tournaments.create(settings);
  }

  /** Past max_entrants this puts the player on the waitlist. */
  registerForTournament(id: string): Promise<TournamentDetails> {
    return this.tournaments.command('POST', id, 'register');
  }

  unregisterFromTournament(id: string): Promise<TournamentDetails> {
    return this.tournaments.command('DELETE', id, 'register');
  }

  checkInToTournament(id: string): Promise<TournamentDetails> {
    return this.tournaments.command('POST', id, 'check-in');
  }

  /** Organizer: drops entrants who did not check in and moves the waitlist up. */
  processCheckIns(id: string): Promise<TournamentDetails> {
    return this.tournaments.command('POST', id, 'process-check-ins');
  }

  /** Organizer: starts now; `seeds` (every entrant, seed 1 first) for manual seeding. */
  startTournament(id: string, seeds?: string[]): Promise<TournamentDetails> {
    return this.tournaments.command('POST', id, 'start', seeds ? { seeds } : {});
  }

  /** Organizer: sets a match's result; sending the same report again is harmless. */
  reportMatch(id: string, matchId: string, report: MatchReport): Promise<TournamentDetails> {
    return this.tournaments.report(id, matchId, report);
  }

  /** Organizer: the dependent matches reopening `matchId` would reset; nothing changes. */
  previewReopen(id: string, matchId: string): Promise<ReopenResult> {
    return this.tournaments.reopen(id, matchId, { confirm: false });
  }

  /** Organizer: reopens a finished match and resets its dependents; `replay` plays it again in a new room. */
  reopenMatch(id: string, matchId: string, options: { replay?: boolean } = {}): Promise<ReopenResult> {
    return this.tournaments.reopen(id, matchId, { confirm: true, ...options });
  }

  /** Forfeits every remaining match; an organizer may pass another player (disqualification). */
  withdrawFromTournament(id: string, playerId?: string): Promise<TournamentDetails> {
    return this.tournaments.command('POST', id, 'withdraw', playerId ? { player_id: playerId } : {});
  }

  roleOf(playerId: string): Promise<PlayerRole> {
    return this.tournaments.roleOf(playerId);
  }

  /** Admins only; guests cannot hold a role. */
  setRole(playerId: string, role: Role): Promise<PlayerRole> {
    return this.tournaments.setRole(playerId, role);
  }

  // ---- real time ----------------------------------------------------------------------------------

  /** Opens the socket and authenticates (as a new guest when not logged in). Resolves on `auth_ok`. */
  connect(): Promise<AuthOk> {
    this.closedByUser = false;
    if (this.authOk && this.isReady()) return Promise.resolve(this.authOk);
    if (this.reconnecting) return this.reconnectNow();
    this.connecting ??= (async () => {
      await this.session.accessToken({ guestIfMissing: true });
      if (this.closedByUser) throw new GameV1Error('closed', 'close() was called while connecting');
      return this.openSocket();
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Joins a room over the socket; rejects with the server's error code (`room_full`, …). */
  joinRoom(roomId: string): Promise<RoomJoined> {
    if (!this.isReady()) return Promise.reject(new GameV1Error('not_connected', 'connect() first'));
    // The same room twice (e.g. a notice handler while a reconnect rejoins it) shares one request.
    if (this.pendingJoin?.roomId === roomId) return this.pendingJoin.result.promise;
    if (this.pendingJoin) return Promise.reject(new GameV1Error('join_in_progress', 'a joinRoom() is still pending'));
    const result = deferred<RoomJoined>();
    this.pendingJoin = { roomId, result };
    this.send({ type: 'join_room', room_id: roomId });
    return result.promise;
  }

  /** Leaves the current room; resolves on `room_left` (at once when not in a room or not connected). */
  leaveRoom(): Promise<void> {
    const roomId = this.room?.room_id ?? this.resumeRoomId;
    this.resumeRoomId = undefined;
    if (!roomId) return Promise.resolve();
    if (!this.isReady()) {
      this.exitRoom();
      return Promise.resolve();
    }
    this.pendingLeave ??= deferred<void>();
    this.send({ type: 'leave_room', room_id: roomId });
    return this.pendingLeave.promise;
  }

  /**
   * Sends one input and returns its sequence number (1, 2, …; increasing across reconnects, as the server
   * ignores stale ones). Returns 0 when not in a room on an open connection: the input is dropped.
   */
  sendInput(input: InputCommand): number {
    if (!this.room || !this.isReady()) return 0;
    const sequence = ++this.sequence;
    const message: ClientMessageOf<'game_input'> = {
      type: 'game_input',
      room_id: this.room.room_id,
      sequence,
      input: { movement: input.movement, actions: input.actions ?? [], ...(input.aim && { aim: input.aim }) },
    };
    const ack = this.snapshots.takeAck();
    if (ack !== undefined) message.ack = ack;
    this.send(message);
    return sequence;
  }

  chat(message: string, messageType: 'room' | 'global' = 'room'): void {
    const chat: ClientMessageOf<'chat'> = { type: 'chat', message, message_type: messageType };
    if (messageType === 'room' && this.room) chat.room_id = this.room.room_id;
    this.send(chat);
  }

  /** Relays WebRTC signalling to another player of the room: an SDP string, or an ICE candidate. */
  sendWebRtc(kind: 'webrtc_offer' | 'webrtc_answer', peerId: string, sdp: string): void;
  sendWebRtc(kind: 'webrtc_ice', peerId: string, candidate: unknown): void;
  sendWebRtc(kind: 'webrtc_offer' | 'webrtc_answer' | 'webrtc_ice', peerId: string, payload: unknown): void {
    const roomId = this.room?.room_id;
    if (!roomId) throw new GameV1Error('not_in_room', 'join a room before WebRTC signalling');
    if (kind === 'webrtc_ice') this.send({ type: kind, room_id: roomId, peer_id: peerId, candidate: payload });
    else this.send({ type: kind, room_id: roomId, peer_id: peerId, sdp: String(payload) });
  }

  /** Application-level ping (browsers cannot send WebSocket pings); the `pong` event carries `rtt_ms`. */
  ping(): void {
    this.send({ type: 'ping', t: Date.now() });
  }

  /**
   * Closes the connection for good: no reconnection (a running one ends with `reconnect_failed`); the room
   * seat is left to the server's grace period. `disconnected` follows once the socket has closed.
   */
  close(): void {
    this.closedByUser = true;
    this.wakeUp?.();
    const socket = this.socket;
    if (socket) socket.close(1000, 'client closed');
    else this.exitRoom();
  }

  // ---- socket -------------------------------------------------------------------------------------

  private isReady(): boolean {
    return this.socket !== undefined && this.authOk !== undefined && this.socket.readyState === WS_OPEN;
  }

  private send(message: ClientMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WS_OPEN) {
      this.logger.debug?.(`${message.type} dropped: not connected`);
      return false;
    }
    socket.send(encodeMessage(message, this.encoding));
    return true;
  }

  private sendSnapshotAck(tick: number): void {
    if (this.room) this.send({ type: 'snapshot_ack', room_id: this.room.room_id, tick });
  }

  /** Opens a socket and sends `auth` once it is open; resolves on `auth_ok`. */
  private openSocket(): Promise<AuthOk> {
    const token = this.session.tokens.access;
    if (!this.WebSocketImpl) {
      return Promise.reject(new GameV1Error('no_websocket', 'no global WebSocket: pass options.WebSocket (e.g. from the ws package)'));
    }
    this.dropSocket();
    const auth = deferred<AuthOk>();
    this.pendingAuth = auth;
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(this.roomNodeUrl ?? this.urls.ws, [this.encoding === 'msgpack' ? BINARY_SUBPROTOCOL : JSON_SUBPROTOCOL]);
    } catch (error) {
      this.pendingAuth = undefined;
      return Promise.reject(error);
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.watchdog.start();
    // Handlers check identity so a socket we replaced cannot disturb the current one.
    socket.onopen = () => {
      if (socket === this.socket) this.send({ type: 'auth', token });
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.watchdog.heard();
      this.onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.onClose(event.code, event.reason);
    };
    socket.onerror = (event) => {
      this.logger.debug?.('WebSocket error (a close follows)', event);
    };
    return auth.promise;
  }

  /** Detaches and closes the current socket without treating it as a disconnect. */
  private dropSocket(): void {
    this.failPending(new GameV1Error('connection_closed', 'connection replaced'));
    this.detachSocket('replaced by a new connection');
    this.authOk = undefined;
  }

  /** The server went silent: the socket is given up and handled as closed (the reconnect loop takes over). */
  private onSilence(): void {
    if (!this.detachSocket('no answer from the server')) return;
    this.onClose(1006, 'no answer from the server');
  }

  /** Unhooks and closes the current socket; false when there is none. */
  private detachSocket(reason: string): boolean {
    this.watchdog.stop();
    const socket = this.socket;
    if (!socket) return false;
    this.socket = undefined;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Keep an error handler: `ws` emits 'error' when a socket still connecting is closed, and an
    // EventEmitter without listeners would turn that into an uncaught exception.
    socket.onerror = () => undefined;
    try {
      socket.close(1000, reason);
    } catch {
      // Closing a socket that never opened may throw in some implementations; it is gone either way.
    }
    return true;
  }

  private onClose(code: number, reason: string): void {
    const wasAuthenticated = this.authOk !== undefined;
    const roomId = this.room?.room_id;
    this.watchdog.stop();
    this.socket = undefined;
    this.authOk = undefined;
    this.room = undefined;
    this.snapshots.resetBaselines();
    this.failPending(closeError(code, reason));

    // Rejoin the room after reconnecting, unless the user was leaving it or closing.
    const canResume = !this.closedByUser && !this.pendingLeave;
    if (!canResume) this.exitRoom();
    else if (roomId) this.resumeRoomId = roomId;

    // A failed reconnect attempt is the reconnect loop's business; a failed connect() was rejected above.
    if (this.reconnecting || !wasAuthenticated) return;
    const { enabled, maxAttempts } = this.reconnectOptions;
    const willReconnect = !this.closedByUser && enabled && maxAttempts > 0 && code !== 4003 && code !== 4004;
    if (!willReconnect) this.exitRoom();
    this.emitter.emit('disconnected', { code, reason, willReconnect });
    if (willReconnect) void this.reconnectLoop();
  }

  private failPending(error: GameV1Error): void {
    this.pendingAuth?.reject(error);
    this.pendingAuth = undefined;
    this.pendingJoin?.result.reject(error);
    this.pendingJoin = undefined;
  }

  /** Forgets the room entirely (no rejoin), settling a pending leave. */
  private exitRoom(): void {
    this.room = undefined;
    this.resumeRoomId = undefined;
    this.snapshots.leaveRoom();
    this.pendingLeave?.resolve();
    this.pendingLeave = undefined;
  }

  // ---- incoming -----------------------------------------------------------------------------------

  private onFrame(data: unknown): void {
    let message: ServerMessage;
    try {
      const { payload, isBinary } = frameData(data);
      message = decodeServerFrame(payload, isBinary);
    } catch (error) {
      this.logger.warn?.('undecodable frame ignored', error);
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'auth_ok':
        this.authOk = message;
        // The guest form's token: keep it so a reconnect authenticates as the same player.
        if (message.token) this.session.tokens.setAccess(message.token);
        this.pendingAuth?.resolve(message);
        this.pendingAuth = undefined;
        return this.emitter.emit('auth_ok', message);
      case 'room_joined':
        this.room = message;
        this.resumeRoomId = undefined;
        this.snapshots.enterRoom(message.players, message.tick_rate);
        if (this.pendingJoin?.roomId === message.room_id) {
          this.pendingJoin.result.resolve(message);
          this.pendingJoin = undefined;
        }
        return this.emitter.emit('room_joined', message);
      case 'room_left':
        if (this.room?.room_id === message.room_id) this.exitRoom();
        this.pendingLeave?.resolve();
        this.pendingLeave = undefined;
        return this.emitter.emit('room_left', message);
      case 'player_joined':
        if (message.room_id === this.room?.room_id) this.snapshots.addPlayer(message.player);
        return this.emitter.emit('player_joined', message);
      case 'player_left':
        if (message.room_id === this.room?.room_id) this.snapshots.removePlayer(message.player);
        return this.emitter.emit('player_left', message);
      case 'player_disconnected':
        return this.emitter.emit('player_disconnected', message);
      case 'player_reconnected':
        return this.emitter.emit('player_reconnected', message);
      case 'game_snapshot': {
        if (message.room_id !== this.room?.room_id) return;
        const event = this.snapshots.receive(message);
        if (event) this.emitter.emit('snapshot', event);
        return;
      }
      case 'match_started':
        return this.emitter.emit('match_started', message);
      case 'room_elsewhere':
        return void this.followRoom(message.room_id, message.url);
      case 'match_found':
        return this.emitter.emit('match_found', message);
      case 'match_cancelled':
        return this.emitter.emit('match_cancelled', message);
      case 'match_ended':
        return this.emitter.emit('match_ended', message);
      case 'tournament_match_ready':
        return this.emitter.emit('tournament_match_ready', message);
      case 'league_update':
        return this.emitter.emit('league_update', message);
      case 'chat':
        return this.emitter.emit('chat', message);
      case 'webrtc_offer':
      case 'webrtc_answer':
        return this.emitter.emit(message.type, message);
      case 'webrtc_ice':
        return this.emitter.emit('webrtc_ice', message);
      case 'pong':
        return this.emitter.emit('pong', message.t === undefined ? message : { ...message, rtt_ms: Date.now() - message.t });
      case 'error':
        this.settleOnError(message.code, message.message, message.ref);
        return this.emitter.emit('error', message);
      default:
        this.logger.debug?.('unknown server message ignored', message);
    }
  }

  /** Rejects the pending request a server error refers to. */
  private settleOnError(code: string, text: string, ref: string | undefined): void {
    const error = new GameV1Error(code, text);
    if (this.pendingAuth && (ref === 'auth' || code === 'auth_failed')) {
      this.pendingAuth.reject(error);
      this.pendingAuth = undefined;
    } else if (this.pendingJoin && ref === 'join_room') {
      this.pendingJoin.result.reject(error);
      this.pendingJoin = undefined;
    } else if (this.pendingLeave && ref === 'leave_room') {
      // `not_in_room` means we are out already, which is what was asked.
      if (code === 'not_in_room') this.exitRoom();
      else this.pendingLeave.reject(error);
      this.pendingLeave = undefined;
    }
  }

  /**
   * The room of the pending join is played on another node: connect there (the same player, the same token) and
   * send the join again; the seat waits there. A node that sends it on once more ends the join (room_not_found).
   */
  private async followRoom(roomId: string, url: string): Promise<void> {
    const join = this.pendingJoin;
    if (!join || join.roomId !== roomId) return;
    this.pendingJoin = undefined; // replacing the socket must not fail this join
    if (url === this.roomNodeUrl) {
      join.result.reject(new GameV1Error('room_not_found', `room ${roomId} was sent on again from the node it was sent to`));
      return;
    }
    this.roomNodeUrl = url;
    try {
      await this.openSocket();
    } catch (error) {
      join.result.reject(error instanceof GameV1Error ? error : new GameV1Error('connection_failed', `cannot reach the room's node at ${url}`));
      return;
    }
    this.pendingJoin = join;
    this.send({ type: 'join_room', room_id: roomId });
  }

  // ---- reconnection -------------------------------------------------------------------------------

  private async reconnectLoop(): Promise<void> {
    this.reconnecting = true;
    const { maxAttempts } = this.reconnectOptions;
    let lastError: unknown;
    let forceRefresh = false;
    let attempts = 0;
    try {
      while (attempts < maxAttempts && !this.closedByUser) {
        attempts++;
        const delayMs = backoffDelay(attempts, this.reconnectOptions);
        this.emitter.emit('reconnecting', { attempt: attempts, delayMs });
        await this.sleep(delayMs);
        if (this.closedByUser) break;
        try {
          const event = await this.reconnectOnce(forceRefresh);
          this.reconnecting = false;
          this.emitter.emit('reconnected', event);
          return;
        } catch (error) {
          this.dropSocket();
          // The room's node may be gone: the next attempt goes through the server, which knows where it went.
          this.roomNodeUrl = undefined;
          lastError = error;
          this.logger.debug?.(`reconnect attempt ${attempts} failed`, error);
          if (!(error instanceof GameV1Error)) continue;
          // A refused token earns one forced refresh; refused credentials or a newer connection end it.
          if (error.code === 'auth_failed' && this.session.tokens.refresh && !forceRefresh) forceRefresh = true;
          else if (error.code === 'auth_failed' || error.code === 'replaced' || error.status === 401) break;
        }
      }
    } finally {
      this.reconnecting = false;
    }
    if (this.closedByUser) lastError = new GameV1Error('closed', 'close() was called');
    this.exitRoom();
    this.emitter.emit('reconnect_failed', { attempts, error: lastError });
  }

  private async reconnectOnce(forceRefresh: boolean): Promise<ReconnectedEvent> {
    await this.session.accessToken({ force: forceRefresh });
    const auth = await this.openSocket();
    const roomId = this.resumeRoomId;
    // No room to rejoin, or the application rejoined one itself as soon as auth_ok arrived.
    if (!roomId) return { auth, room: this.room };
    // A join the application started as soon as auth_ok arrived, for another room, replaces the rejoin.
    if (this.pendingJoin && this.pendingJoin.roomId !== roomId) {
      this.resumeRoomId = undefined;
      return { auth, room: undefined };
    }
    try {
      return { auth, room: await this.joinRoom(roomId) };
    } catch (error) {
      // A lost connection fails the attempt; a room that is gone or full does not.
      if (!(error instanceof GameV1Error) || !ROOM_GONE_CODES.has(error.code)) throw error;
      this.exitRoom();
      return { auth, room: undefined, roomError: error };
    }
  }

  /** connect() during reconnection: skip the remaining backoff and settle with the loop's outcome. */
  private reconnectNow(): Promise<AuthOk> {
    const outcome = new Promise<AuthOk>((resolve, reject) => {
      const offDone = this.on('reconnected', (event) => {
        offDone();
        offFailed();
        resolve(event.auth);
      });
      const offFailed = this.on('reconnect_failed', (event) => {
        offDone();
        offFailed();
        reject(event.error);
      });
    });
    this.wakeUp?.();
    return outcome;
  }

  /** A backoff wait that close() or connect() can cut short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
