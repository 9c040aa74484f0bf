import { SnapshotInterpolator, type GameV1Client, type JsonPlayerState, type JsonSnapshot, type RoomJoined, type SnapshotEvent } from '../../../src/index.js';
import { raySphereDistance } from '../../../../src/sim/hitscan.js';
import { DEFAULT_ARENA_RULES } from '../../../../src/sim/rules.js';
import { byId, el, setText, show } from '../shared/dom.js';
import { Controls } from './controls.js';
import type { PlayerView } from './view.js';
import { Predictor } from './prediction.js';
import { ArenaView, playerColor, type DrawnPlayer, type Tracer } from './render.js';

/** The server runs these rules (src/sim); the page predicts and draws with the same ones. */
const RULES = DEFAULT_ARENA_RULES;
/** Remote players are drawn this far in the past, so a later snapshot is on hand to interpolate towards. */
const INTERPOLATION_DELAY_MS = 100;
/** Inputs per second at most, below the server's per-connection message rate. */
const MAX_INPUT_RATE = 60;
/** An aimAt() lock ends once the mouse is really used again (a synthetic click moves it once). */
const AIM_LOCK_MOUSE_MOVES = 30;
const TRACER_SECONDS = 0.15;
const KILL_FEED_MS = 5000;
const FLASH_MS = 180;
const PING_INTERVAL_MS = 2000;


interface Shot {
  sequence: number;
  aimX: number;
  aimZ: number;
  firedAt: number;
}

const view = (player: JsonPlayerState): PlayerView => ({
  id: player.id,
  name: player.name,
  x: player.position.x,
  z: player.position.z,
  health: player.health,
  score: player.score,
  alive: player.alive,
});

function formatTime(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/**
 * One stay in a room: sends inputs at a fixed rate, predicts the own player and reconciles it with every snapshot,
 * interpolates the others, draws the arena every display frame and keeps the HUD, scoreboard and feedback current.
 */
export class Match {
  readonly roomId: string;
  hitsDealt = 0;
  hitsTaken = 0;
  private readonly playerId: string;
  private readonly teams = new Map<string, number>();
  private readonly interpolator: SnapshotInterpolator;
  private readonly predictor: Predictor;
  private readonly controls: Controls;
  private readonly arena: ArenaView;
  private readonly inputIntervalMs: number;
  private readonly offs: (() => void)[] = [];
  private latest: JsonSnapshot | undefined;
  private aim = { x: 0, z: 1 };
  private aimLock: { playerId: string; movesAtLock: number } | undefined;
  private shots: Shot[] = [];
  private lastShotAt = -Infinity;
  private tracers: Tracer[] = [];
  private diedAt: number | undefined;
  private nextInputAt = performance.now();
  private lastFrameAt = performance.now();
  private frame = 0;
  private inputTimer: ReturnType<typeof setInterval>;
  private pingTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: GameV1Client,
    joined: RoomJoined,
  ) {
    this.roomId = joined.room_id;
    this.playerId = joined.player_id;
    for (const player of joined.players) if (player.team !== undefined) this.teams.set(player.id, player.team);
    const ticksPerInput = Math.max(1, Math.ceil(joined.tick_rate / MAX_INPUT_RATE));
    this.inputIntervalMs = (1000 * ticksPerInput) / joined.tick_rate;
    this.interpolator = new SnapshotInterpolator(joined.tick_rate);
    this.predictor = new Predictor(RULES, 1 / joined.tick_rate, ticksPerInput);
    const canvas = byId<HTMLCanvasElement>('arena');
    this.arena = new ArenaView(canvas, RULES);
    this.controls = new Controls(canvas, () => document.activeElement instanceof HTMLInputElement && document.activeElement.type === 'text');
    setText(byId('room-title'), `${joined.room.room_name} · ${joined.room.game_mode}`);
    byId('kill-feed').replaceChildren();
    show(byId('respawn'), false);
    show(byId('match-banner'), false);

    this.offs.push(
      client.on('snapshot', (event) => this.onSnapshot(event)),
      client.on('player_joined', ({ player }) => player.team !== undefined && this.teams.set(player.id, player.team)),
      client.on('pong', ({ rtt_ms }) => rtt_ms !== undefined && setText(byId('hud-ping'), `${rtt_ms} ms`)),
      client.on('match_ended', (message) => {
        const winner = message.teams?.[0] ? `Team ${message.teams[0].team}` : (message.results[0]?.name ?? 'nobody');
        const banner = byId('match-banner');
        setText(banner, `Match over (${message.reason.replace('_', ' ')}): ${winner} wins`);
        show(banner, true);
      }),
      client.on('match_started', () => show(byId('match-banner'), false)),
    );
    this.inputTimer = setInterval(() => this.tickInputs(), Math.max(4, this.inputIntervalMs / 2));
    this.pingTimer = setInterval(() => client.ping(), PING_INTERVAL_MS);
    client.ping();
    this.frame = requestAnimationFrame(() => this.render());
  }

  /** The authoritative state from the newest snapshot (what the server says, not the prediction). */
  players(): PlayerView[] {
    return this.latest?.players.map(view) ?? [];
  }

  get tick(): number {
    return this.latest?.tick ?? 0;
  }

  /** Points the aim at a player (followed while they move) until the mouse is used again. */
  aimAt(playerId: string): void {
    this.aimLock = { playerId, movesAtLock: this.controls.mouseMoves };
    this.updateAim();
  }

  dispose(): void {
    clearInterval(this.inputTimer);
    clearInterval(this.pingTimer);
    cancelAnimationFrame(this.frame);
    for (const off of this.offs) off();
    this.controls.dispose();
  }

  private me(snapshot = this.latest): JsonPlayerState | undefined {
    return snapshot?.players.find((player) => player.id === this.playerId);
  }

  // ---- inputs -------------------------------------------------------------------------------------

  /** Catches up with the fixed input rate (timers are late at times; a long stall is not replayed). */
  private tickInputs(): void {
    const now = performance.now();
    if (now - this.nextInputAt > 250) this.nextInputAt = now;
    while (this.nextInputAt <= now) {
      this.sendInput(now);
      this.nextInputAt += this.inputIntervalMs;
    }
  }

  private sendInput(now: number): void {
    const me = this.me();
    const acting = me !== undefined && me.alive && this.latest?.phase === 'playing';
    const movement = acting ? this.controls.movement() : { x: 0, z: 0 };
    this.updateAim();
    const wantsShot = this.controls.takeShot() && acting;
    const sequence = this.client.sendInput({
      movement: { x: movement.x, y: 0, z: movement.z },
      actions: wantsShot ? ['shoot'] : [],
      aim: { x: this.aim.x, y: 0, z: this.aim.z },
    });
    if (sequence === 0) return;
    if (acting) this.predictor.apply(sequence, movement);
    if (wantsShot && now - this.lastShotAt >= RULES.weaponCooldownSeconds * 1000) {
      this.lastShotAt = now;
      this.shots.push({ sequence, aimX: this.aim.x, aimZ: this.aim.z, firedAt: now });
      this.tracers.push(this.tracer(this.predictor.x, this.predictor.z));
    }
  }

  /** The aim from the predicted position towards the mouse (or the locked player). */
  private updateAim(): void {
    let target: { x: number; z: number } | undefined;
    if (this.aimLock) {
      const locked = this.latest?.players.find((player) => player.id === this.aimLock!.playerId);
      const mouseUsed = this.controls.mouseMoves - this.aimLock.movesAtLock > AIM_LOCK_MOUSE_MOVES;
      if (!locked || mouseUsed) this.aimLock = undefined;
      else target = locked.position;
    }
    if (!target && this.controls.mouse) target = this.arena.toWorld(this.controls.mouse.x, this.controls.mouse.y);
    if (!target) return;
    const dx = target.x - this.predictor.x;
    const dz = target.z - this.predictor.z;
    const length = Math.hypot(dx, dz);
    if (length > 0.01) this.aim = { x: dx / length, z: dz / length };
  }

  /** A shot's line on the floor: to the weapon's range or the wall, whichever comes first. */
  private tracer(fromX: number, fromZ: number): Tracer {
    const limit = RULES.arenaHalfSize;
    let reach = RULES.weaponRange;
    for (const [position, direction] of [[fromX, this.aim.x], [fromZ, this.aim.z]] as const) {
      if (direction > 0) reach = Math.min(reach, (limit - position) / direction);
      else if (direction < 0) reach = Math.min(reach, (-limit - position) / direction);
    }
    return { fromX, fromZ, toX: fromX + this.aim.x * reach, toZ: fromZ + this.aim.z * reach, life: 1 };
  }

  // ---- snapshots ----------------------------------------------------------------------------------

  private onSnapshot(event: SnapshotEvent): void {
    if (event.room_id !== this.roomId) return;
    const previous = this.latest;
    const snapshot = event.snapshot;
    this.latest = snapshot;
    this.interpolator.push(snapshot, performance.now());
    const before = this.me(previous);
    const me = this.me(snapshot);
    if (me) {
      if (me.alive && before?.alive && snapshot.phase === 'playing') this.predictor.reconcile(me.position.x, me.position.z, event.ack);
      else this.predictor.reset(me.position.x, me.position.z);
    }
    if (previous) this.feedback(previous, snapshot, event.ack);
    this.updateHud(snapshot, me);
    // Background tabs throttle timers to about once a second; snapshots keep arriving, so they drive inputs too.
    this.tickInputs();
  }

  /** Hits, kills and damage taken, read from what changed between two snapshots. */
  private feedback(previous: JsonSnapshot, snapshot: JsonSnapshot, ack: number): void {
    const before = new Map(previous.players.map((player) => [player.id, player]));
    const damaged: { was: JsonPlayerState; now: JsonPlayerState }[] = [];
    const victims: JsonPlayerState[] = [];
    const scorers: JsonPlayerState[] = [];
    for (const now of snapshot.players) {
      const was = before.get(now.id);
      if (!was) continue;
      if (was.alive && now.health < was.health) damaged.push({ was, now });
      if (now.deaths > was.deaths) victims.push(now);
      if (now.score > was.score) scorers.push(now);
    }
    const myBefore = before.get(this.playerId);
    const myNow = snapshot.players.find((player) => player.id === this.playerId);
    const mine = damaged.find((hit) => hit.now.id === this.playerId);
    if (mine) {
      this.hitsTaken += Math.max(1, Math.round((mine.was.health - mine.now.health) / RULES.weaponDamage));
      this.flash(byId('arena').parentElement!, 'hurt');
    }

    // A shot is settled by the first snapshot that acknowledges its input: its damage shows up there.
    const settled = this.shots.filter((shot) => shot.sequence <= ack);
    this.shots = this.shots.filter((shot) => shot.sequence > ack && performance.now() - shot.firedAt < 2000);
    const shooters = [myBefore, myNow].filter((player) => player !== undefined);
    for (const shot of settled) {
      const hit = damaged.find((candidate) => candidate.now.id !== this.playerId && this.onLine(shot, shooters, [candidate.was, candidate.now]));
      if (hit) {
        this.hitsDealt++;
        this.flash(byId('hit-marker'), 'show');
      }
    }

    for (const victim of victims) {
      const killer = scorers.length === 1 ? scorers[0]!.name : undefined;
      const text = killer ? `${killer} ✕ ${victim.name}` : `${victim.name} was eliminated`;
      this.addKillFeed(text, victim.id === this.playerId || scorers[0]?.id === this.playerId);
    }
    if (myBefore?.alive && myNow && !myNow.alive) this.diedAt = performance.now();
  }

  /** Whether a shot from any of the shooter's positions passes through any of the target's (the sim's hitscan). */
  private onLine(shot: Shot, shooters: readonly JsonPlayerState[], targets: readonly JsonPlayerState[]): boolean {
    return shooters.some((shooter) =>
      targets.some(
        (target) =>
          raySphereDistance(
            shooter.position.x,
            shooter.position.y + RULES.eyeHeight,
            shooter.position.z,
            shot.aimX,
            0,
            shot.aimZ,
            target.position.x,
            target.position.y + RULES.hitCentreHeight,
            target.position.z,
            RULES.hitRadius * 1.5,
          ) <= RULES.weaponRange,
      ),
    );
  }

  /** Sets `className` on the element for a moment (the hit marker, the damage flash). */
  private flash(element: HTMLElement, className: string): void {
    element.classList.add(className);
    setTimeout(() => element.classList.remove(className), FLASH_MS);
  }

  private addKillFeed(text: string, mine: boolean): void {
    const feed = byId('kill-feed');
    const entry = el('li', mine ? 'mine' : undefined, text);
    feed.prepend(entry);
    while (feed.children.length > 5) feed.lastElementChild!.remove();
    setTimeout(() => entry.remove(), KILL_FEED_MS);
  }

  private updateHud(snapshot: JsonSnapshot, me: JsonPlayerState | undefined): void {
    setText(byId('hud-health'), String(me?.health ?? 0));
    setText(byId('hud-score'), String(me?.score ?? 0));
    setText(byId('hud-time'), formatTime(snapshot.time_left));
    const dead = me !== undefined && !me.alive && snapshot.phase === 'playing';
    show(byId('respawn'), dead);
    if (dead) {
      const waited = (performance.now() - (this.diedAt ?? performance.now())) / 1000;
      setText(byId('respawn-timer'), String(Math.max(0, Math.ceil(RULES.respawnDelaySeconds - waited))));
    }
    this.updateScoreboard(snapshot);
  }

  private updateScoreboard(snapshot: JsonSnapshot): void {
    const table = byId<HTMLTableElement>('scoreboard');
    const ranked = [...snapshot.players].sort((a, b) => b.score - a.score || a.deaths - b.deaths || a.entity_id - b.entity_id);
    const signature = ranked.map((p) => `${p.id}:${p.score}:${p.deaths}:${p.health}:${p.alive}`).join('|');
    if (table.dataset.signature === signature) return;
    table.dataset.signature = signature;
    const head = el('tr');
    for (const title of ['Player', 'K', 'D', 'HP']) head.append(el('th', undefined, title));
    const rows = ranked.map((player) => {
      const row = el('tr', player.id === this.playerId ? 'me' : undefined);
      row.dataset.playerId = player.id;
      const team = this.teams.get(player.id);
      const name = el('td', undefined, player.name);
      name.style.color = playerColor(player.entity_id, team);
      row.append(name, el('td', undefined, String(player.score)), el('td', undefined, String(player.deaths)), el('td', undefined, player.alive ? String(player.health) : '✕'));
      return row;
    });
    table.replaceChildren(head, ...rows);
  }

  // ---- drawing ------------------------------------------------------------------------------------

  private render(): void {
    this.frame = requestAnimationFrame(() => this.render());
    const now = performance.now();
    const elapsed = Math.min(0.25, (now - this.lastFrameAt) / 1000);
    this.lastFrameAt = now;
    const drawn: DrawnPlayer[] = [];
    for (const player of this.interpolator.sample(now, INTERPOLATION_DELAY_MS)) {
      if (player.id === this.playerId) continue;
      drawn.push({ ...this.drawnFields(player), x: player.position.x, z: player.position.z, yaw: player.yaw, me: false });
    }
    const me = this.me();
    if (me) {
      const at = me.alive ? this.predictor.drawn(elapsed) : { x: me.position.x, z: me.position.z };
      drawn.push({ ...this.drawnFields(me), ...at, yaw: Math.atan2(this.aim.x, this.aim.z), me: true });
    }
    for (const tracer of this.tracers) tracer.life -= elapsed / TRACER_SECONDS;
    this.tracers = this.tracers.filter((tracer) => tracer.life > 0);
    this.arena.draw(drawn, this.tracers, this.crosshair(), byId('hit-marker').classList.contains('show'));
  }

  private drawnFields(player: JsonPlayerState): Pick<DrawnPlayer, 'id' | 'name' | 'health' | 'alive' | 'color'> {
    return { id: player.id, name: player.name, health: player.health, alive: player.alive, color: playerColor(player.entity_id, this.teams.get(player.id)) };
  }

  private crosshair(): { x: number; y: number } | undefined {
    const locked = this.aimLock && this.latest?.players.find((player) => player.id === this.aimLock!.playerId);
    if (locked) return this.arena.toScreen(locked.position.x, locked.position.z);
    return this.controls.mouse;
  }
}
