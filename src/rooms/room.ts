import type { Logger } from 'pino';
import type {
  ClientMessageOf,
  MatchResultEntry,
  RoomInfo,
  RoomPlayer,
  ServerMessage,
} from '../protocol/index.js';
import { settingsFor, type Entrant, type Game, type GameMode, type GameSettings, type PlayerOutcome } from '../games/index.js';
import { sharedFrames, toJsonSnapshot } from '../protocol/index.js';
import { SimError, type SnapshotState } from '../sim/index.js';
import { SnapshotFanout } from './snapshot-fanout.js';
import {
  RoomError,
  type FinishedGame,
  type StartedGame,
  type GameRecorder,
  type PlayerIdentity,
  type RoomConnection,
  type RoomMetrics,
  type RoomCheckpoint,
  type RoomOptions,
  type RoomSettings,
  type RoomState,
} from './types.js';

interface Member extends PlayerIdentity {
  entity: number;
  /** 0 in free-for-all. */
  team: number;
  connection: RoomConnection | undefined;
  /** When the connection dropped (ms), while the seat is held for a reconnect. */
  disconnectedAt: number | undefined;
  /** Newest snapshot tick the client decoded: the baseline of its next delta (-1: none, send a full one). */
  ackedTick: number;
}

const NO_ACTIONS: readonly string[] = [];

export interface RoomDeps {
  recorder: GameRecorder;
  metrics: RoomMetrics;
  logger: Logger;
  now: () => number;
  /** A fresh seed for each match's game (random in production, fixed in tests). */
  seed: () => number;
}

/**
 * One authoritative game room: its members, its game (whatever its mode makes), and the snapshots it streams.
 * Lifecycle in the Colyseus spirit: join → input/ack → leave/disconnect, `tick()` driven by the node's tick loop,
 * `dispose()` when the manager retires it.
 */
export class Room {
  readonly createdAt: Date;
  private readonly game: Game;
  private readonly members = new Map<string, Member>();
  private readonly directory = new Map<number, PlayerIdentity>();
  /** Players who reserved a seat over HTTP, with the time the reservation lapses. */
  private readonly reservations = new Map<string, number>();
  private readonly snapshots: SnapshotFanout;
  private readonly ticksPerSnapshot: number;
  private ticksUntilSnapshot = 0;
  /** The recorded game of the match being played (undefined between matches and before the first join). */
  private gameId: string | undefined;
  private gameStartedAt = 0;
  /** Game-record writes in flight, awaited by dispose() so shutdown loses none. */
  private readonly writes = new Set<Promise<unknown>>();
  private restartAtTick: number | undefined;
  private emptySince: number;
  private readonly tickRate: number;
  private readonly gameSettings: GameSettings;

  /** `restored`: the room carried on from another node's checkpoint (its id and options are the checkpoint's). */
  constructor(
    readonly id: string,
    readonly options: RoomOptions,
    mode: GameMode,
    private readonly settings: RoomSettings,
    private readonly deps: RoomDeps,
    restored?: RoomCheckpoint,
  ) {
    this.createdAt = new Date(restored?.state.createdAt ?? deps.now());
    this.emptySince = deps.now();
    this.tickRate = settings.game.tickRate;
    this.snapshots = new SnapshotFanout(id, (state) => JSON.stringify(toJsonSnapshot(state, this.directory, this.tickRate)));
    this.ticksPerSnapshot = Math.max(1, Math.round(this.tickRate / settings.snapshotRate));
    if (!restored) {
      this.gameSettings = settingsFor(mode, settings.game);
      this.game = mode.create(this.gameSettings, deps.seed());
      return;
    }
    const { state, record } = restored;
    this.gameSettings = state.settings;
    const { game, entities } = mode.resume(state.settings, state.seed, record);
    this.game = game;
    const now = deps.now();
    for (const seat of state.members) {
      const entity = entities.get(seat.entity);
      if (entity === undefined) throw new RangeError(`checkpoint of room ${id} seats entity ${seat.entity}, which its record never joined`);
      // Every player comes back as a seat held for its reconnect (RECONNECT_GRACE from now).
      this.members.set(seat.id, { id: seat.id, name: seat.name, entity, team: seat.team, connection: undefined, disconnectedAt: now, ackedTick: -1 });
      this.directory.set(entity, { id: seat.id, name: seat.name });
    }
    for (const { playerId, lapsesAt } of state.reservations) this.reservations.set(playerId, lapsesAt);
    if (state.game) {
      this.gameId = state.game.id;
      this.gameStartedAt = state.game.startedAt;
      deps.recorder.adopt(state.game.id, this.startedGame(), state.game.startedAt);
    }
    if (state.finished) this.restartAtTick = game.tick;
  }

  /** The seed of the match being played: each match has its own replay record. */
  get matchSeed(): number {
    return this.game.seed;
  }

  /**
   * What another node needs to carry the room on: its state, and its match's replay record from byte
   * `recordOffset` on (`seed` names the match: a new seed starts a new record). Undefined record: it outgrew its
   * bound, and the room can no longer be carried on.
   */
  checkpoint(recordOffset: number): { state: RoomState; record: Uint8Array | undefined } {
    const { onReservationLapsed: _callback, ...options } = this.options;
    const state: RoomState = {
      options,
      createdAt: this.createdAt.getTime(),
      seed: this.game.seed,
      settings: this.gameSettings,
      members: [...this.members.values()].map((member) => ({ id: member.id, name: member.name, entity: member.entity, team: member.team })),
      reservations: [...this.reservations].map(([playerId, lapsesAt]) => ({ playerId, lapsesAt })),
      finished: this.game.finished,
      ...(this.gameId ? { game: { id: this.gameId, startedAt: this.gameStartedAt } } : {}),
    };
    return { state, record: this.game.replayLogSince(recordOffset) };
  }

  /** Another node serves the room now: its players are sent there, and its match is left for that node to end. */
  handOver(): void {
    this.gameId = undefined;
    for (const member of this.members.values()) member.connection?.roomMoved(this.id);
  }

  get playerCount(): number {
    return this.members.size;
  }

  /** Seated players plus live reservations: what counts against max_players. */
  get seatsTaken(): number {
    return this.members.size + this.reservations.size;
  }

  /** Milliseconds since the room last had a player or a reservation, or 0 while it has one. */
  emptyFor(now: number): number {
    return this.seatsTaken === 0 ? now - this.emptySince : 0;
  }

  info(): RoomInfo {
    const finished = this.game.finished;
    return {
      room_id: this.id,
      room_name: this.options.name,
      game_mode: this.options.gameMode,
      host_id: this.options.hostId,
      max_players: this.options.maxPlayers,
      player_count: this.members.size,
      status: finished ? 'finished' : this.members.size > 0 ? 'playing' : 'waiting',
      created_at: this.createdAt.toISOString(),
    };
  }

  /** The game's state now, for readers outside the room's members (the Worker API's GetRoomSnapshot). */
  state(): SnapshotState {
    return this.game.snapshot();
  }

  players(): RoomPlayer[] {
    return [...this.members.values()].map((member) => this.describe(member));
  }

  hasMember(playerId: string): boolean {
    return this.members.has(playerId);
  }

  /** Everybody seated, connected or not. */
  memberIds(): string[] {
    return [...this.members.keys()];
  }

  /** Holds a seat for a player who joined over HTTP until it connects over WebSocket. */
  reserve(playerId: string): void {
    if (this.members.has(playerId) || this.reservations.has(playerId)) return;
    this.assertSeatFree();
    const seconds = this.options.reservationSeconds ?? this.settings.reservationSeconds;
    this.reservations.set(playerId, this.deps.now() + seconds * 1000);
  }

  /** Team modes: the teams of players known ahead (a matchmade room's), balanced by their ratings. */
  planTeams(entrants: readonly Entrant[]): void {
    this.game.planTeams(entrants);
  }

  /** Seats the player (or resumes its seat after a reconnect), then sends room_joined and a full snapshot. */
  join(player: PlayerIdentity, connection: RoomConnection): void {
    const existing = this.members.get(player.id);
    if (existing) {
      this.resume(existing, connection);
      return;
    }
    if (!this.reservations.delete(player.id)) this.assertSeatFree();
    let seat: { entity: number; team: number };
    try {
      seat = this.game.addPlayer({ key: player.id });
    } catch (error) {
      if (error instanceof SimError && error.code === 'max_entities') throw new RoomError('room_full', 'room has reached its entity limit');
      throw error;
    }
    const { entity, team } = seat;
    const member: Member = { ...player, entity, team, connection, disconnectedAt: undefined, ackedTick: -1 };
    this.members.set(player.id, member);
    this.directory.set(entity, { id: player.id, name: player.name });
    this.beginIfReady();
    this.broadcast({ type: 'player_joined', room_id: this.id, player: this.describe(member) }, player.id);
    this.welcome(member, false);
  }

  /** The player leaves for good: its entity is removed and everybody is told. */
  leave(playerId: string, reason: 'left' | 'disconnected' | 'timeout'): void {
    const member = this.members.get(playerId);
    if (!member) {
      if (!this.reservations.delete(playerId)) throw new RoomError('not_in_room', `you are not in room ${this.id}`);
      this.markEmptyIfSo();
      return;
    }
    this.members.delete(playerId);
    this.directory.delete(member.entity);
    this.game.removePlayer(member.entity);
    member.connection?.send({ type: 'room_left', room_id: this.id });
    member.connection?.leftRoom(this.id);
    this.broadcast({ type: 'player_left', room_id: this.id, player: this.describe(member), reason });
    this.markEmptyIfSo();
  }

  /** The connection dropped: keep the seat for the reconnect grace period. */
  disconnect(playerId: string, connection: RoomConnection): void {
    const member = this.members.get(playerId);
    if (!member || member.connection !== connection) return;
    member.connection = undefined;
    if (this.settings.reconnectGraceSeconds === 0) {
      this.leave(playerId, 'disconnected');
      return;
    }
    member.disconnectedAt = this.deps.now();
    this.broadcast({ type: 'player_disconnected', room_id: this.id, player: this.describe(member) });
  }

  input(playerId: string, message: ClientMessageOf<'game_input'>): void {
    const member = this.requireMember(playerId);
    const { movement, actions = NO_ACTIONS, aim } = message.input;
    if (!this.game.queueInput(member.entity, { sequence: message.sequence, movement, actions, aim })) this.deps.metrics.inputRefused();
    if (message.ack !== undefined) member.ackedTick = message.ack;
  }

  acknowledge(playerId: string, tick: number): void {
    this.requireMember(playerId).ackedTick = tick;
  }

  /** Sends a message to one seated, connected player of this room. */
  sendTo(playerId: string, message: ServerMessage): void {
    const connection = this.members.get(playerId)?.connection;
    if (!connection) throw new RoomError('peer_not_found', `player ${playerId} is not connected to room ${this.id}`);
    connection.send(message);
  }

  /** Sends a message to every connected member, except `exceptPlayerId`; encoded once per encoding. */
  broadcast(message: ServerMessage, exceptPlayerId?: string): void {
    const frameFor = sharedFrames(message);
    for (const member of this.members.values()) {
      const connection = member.connection;
      if (connection && member.id !== exceptPlayerId) connection.sendFrame(frameFor(connection.encoding));
    }
  }

  /** One fixed step: simulate, handle match end and restart, stream a snapshot when one is due. */
  tick(): void {
    if (this.members.size === 0 || this.waitingForSeats) return;
    for (const event of this.game.step()) {
      if (event.type === 'match_end') this.endMatch(event.reason);
    }
    if (this.restartAtTick !== undefined && this.game.tick >= this.restartAtTick) this.restartMatch();
    if (--this.ticksUntilSnapshot <= 0) {
      this.ticksUntilSnapshot = this.ticksPerSnapshot;
      this.streamSnapshot();
    }
  }

  /** Retires the room: an unfinished match is recorded as aborted; resolves when every write has landed. */
  async dispose(): Promise<void> {
    const gameId = this.gameId;
    this.gameId = undefined;
    if (gameId && !this.game.finished) this.track(this.deps.recorder.abort(gameId));
    await Promise.allSettled(this.writes);
  }

  private resume(member: Member, connection: RoomConnection): void {
    const wasDisconnected = member.connection === undefined;
    member.connection = connection;
    member.disconnectedAt = undefined;
    member.ackedTick = -1;
    if (wasDisconnected) {
      this.broadcast({ type: 'player_reconnected', room_id: this.id, player: this.describe(member) }, member.id);
    }
    this.welcome(member, true);
  }

  private welcome(member: Member, resumed: boolean): void {
    const connection = member.connection!;
    connection.send({
      type: 'room_joined',
      room_id: this.id,
      player_id: member.id,
      entity_id: member.entity,
      room: this.info(),
      players: this.players(),
      tick_rate: this.tickRate,
      snapshot_rate: this.settings.snapshotRate,
      resumed,
    });
    // Not kept as a baseline: a client acknowledging its welcome snapshot gets a full one next.
    this.snapshots.begin(this.game.snapshot(), false);
    this.sendSnapshot(member, connection);
  }

  private streamSnapshot(): void {
    this.snapshots.begin(this.game.snapshot(), true);
    for (const member of this.members.values()) {
      const connection = member.connection;
      if (!connection) continue;
      if (connection.congested) {
        this.deps.metrics.snapshotSkipped();
        continue;
      }
      this.sendSnapshot(member, connection);
    }
  }

  private sendSnapshot(member: Member, connection: RoomConnection): void {
    const ack = this.game.lastInputSequence(member.entity);
    const frame = connection.encoding === 'json' ? this.snapshots.jsonFrame(ack) : this.snapshots.binaryFrame(member.ackedTick, ack);
    this.deps.metrics.snapshotSent(connection.sendFrame(frame));
  }

  private endMatch(reason: 'score_limit' | 'time_limit'): void {
    const outcome = this.game.results();
    const results = this.resultEntries(outcome.players);
    this.broadcast({ type: 'match_ended', room_id: this.id, reason, results, ...(outcome.teams ? { teams: outcome.teams } : {}) });
    const gameId = this.gameId;
    this.gameId = undefined;
    const finished: FinishedGame = { reason, players: results, teams: outcome.teams, ticks: this.game.tick, replay: this.game.replayLog() };
    if (gameId) this.track(this.deps.recorder.finish(gameId, finished));
    this.restartAtTick = this.game.tick + this.settings.restartDelaySeconds * this.tickRate;
  }

  private restartMatch(): void {
    this.restartAtTick = undefined;
    this.game.restart(this.deps.seed());
    this.startRecording();
    this.broadcast({ type: 'match_started', room_id: this.id });
  }

  /** The game's outcome for the wire and the record: best first, ties sharing a rank (a tie, for the ratings). */
  private resultEntries(players: readonly PlayerOutcome[]): MatchResultEntry[] {
    return players.flatMap((result) => {
      const player = this.directory.get(result.entity);
      if (!player) return [];
      const entry: MatchResultEntry = { player_id: player.id, name: player.name, score: result.score, deaths: result.deaths, rank: result.rank };
      if (result.team > 0) entry.team = result.team;
      return [entry];
    });
  }

  /** Held rooms wait while a reserved player is still to come. */
  private get waitingForSeats(): boolean {
    return this.options.holdUntilSeated === true && this.reservations.size > 0;
  }

  /** Starts recording the first match once somebody is seated and nobody reserved is still awaited. */
  private beginIfReady(): void {
    // Between matches (finished, waiting for the restart) the next record starts with the restart.
    if (!this.gameId && !this.game.finished && this.members.size > 0 && !this.waitingForSeats) this.startRecording();
  }

  private startRecording(): void {
    this.gameStartedAt = this.deps.now();
    this.gameId = this.deps.recorder.start(this.startedGame());
  }

  private startedGame(): StartedGame {
    return {
      roomId: this.id,
      gameMode: this.options.gameMode,
      region: this.options.region,
      seed: this.game.seed,
      settings: this.gameSettings,
      ...(this.options.tournamentMatch ? { tournamentMatch: this.options.tournamentMatch } : {}),
    };
  }

  /** Keeps a game-record write until it is durable, for dispose(); a failure is logged, never thrown into the tick. */
  private track(write: Promise<void>): void {
    const settled = write.catch((error: unknown) => this.logFailure(error));
    this.writes.add(settled);
    void settled.finally(() => this.writes.delete(settled));
  }

  /** Drops seats whose reconnect grace or reservation has run out; the manager calls it about once a second. */
  expireSeats(): void {
    const now = this.deps.now();
    const graceMs = this.settings.reconnectGraceSeconds * 1000;
    for (const member of [...this.members.values()]) {
      if (member.disconnectedAt !== undefined && now - member.disconnectedAt >= graceMs) this.leave(member.id, 'timeout');
    }
    for (const [playerId, lapsesAt] of this.reservations) {
      if (lapsesAt > now) continue;
      this.reservations.delete(playerId);
      this.markEmptyIfSo();
      this.options.onReservationLapsed?.(this.id, playerId);
    }
    this.beginIfReady();
  }

  private assertSeatFree(): void {
    if (this.seatsTaken >= this.options.maxPlayers) {
      throw new RoomError('room_full', `room ${this.id} is full (${this.options.maxPlayers} players)`);
    }
  }

  private requireMember(playerId: string): Member {
    const member = this.members.get(playerId);
    if (!member) throw new RoomError('not_in_room', `you are not in room ${this.id}`);
    return member;
  }

  /** Called right after a seat is freed: starts the empty-room clock when that was the last one. */
  private markEmptyIfSo(): void {
    if (this.seatsTaken === 0) this.emptySince = this.deps.now();
  }

  private describe(member: Member): RoomPlayer {
    const player: RoomPlayer = { id: member.id, name: member.name, entity_id: member.entity, connected: member.connection !== undefined };
    if (member.team > 0) player.team = member.team;
    return player;
  }

  private logFailure(error: unknown): void {
    this.deps.logger.error({ err: error, room: this.id }, 'recording the game failed');
  }
}
