import type { ArenaRules } from '../../../../src/sim/rules.js';

export interface DrawnPlayer {
  id: string;
  name: string;
  x: number;
  z: number;
  yaw: number;
  health: number;
  alive: boolean;
  color: string;
  me: boolean;
}

export interface Tracer {
  fromX: number;
  fromZ: number;
  toX: number;
  toZ: number;
  /** 1 when fired, fading to 0. */
  life: number;
}

/** The arena seen from above: world x to the right, world z down the screen, the whole square in view. */
export class ArenaView {
  private readonly context: CanvasRenderingContext2D;
  private scale = 1;
  private originX = 0;
  private originY = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly rules: Readonly<ArenaRules>,
  ) {
    this.context = canvas.getContext('2d')!;
  }

  /** Matches the backing store to the element's size and the display's pixel ratio. */
  resize(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const side = this.rules.arenaHalfSize * 2 + 2;
    this.scale = Math.min(this.canvas.clientWidth, this.canvas.clientHeight) / side;
    this.originX = this.canvas.clientWidth / 2;
    this.originY = this.canvas.clientHeight / 2;
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  toScreen(x: number, z: number): { x: number; y: number } {
    return { x: this.originX + x * this.scale, y: this.originY + z * this.scale };
  }

  toWorld(x: number, y: number): { x: number; z: number } {
    return { x: (x - this.originX) / this.scale, z: (y - this.originY) / this.scale };
  }

  /** One frame; `hit` marks the crosshair (the own shot just hit). */
  draw(players: readonly DrawnPlayer[], tracers: readonly Tracer[], crosshair: { x: number; y: number } | undefined, hit: boolean): void {
    this.resize();
    const g = this.context;
    g.clearRect(0, 0, this.canvas.clientWidth, this.canvas.clientHeight);
    this.drawFloor();
    for (const tracer of tracers) this.drawTracer(tracer);
    for (const player of players) if (!player.alive) this.drawPlayer(player);
    for (const player of players) if (player.alive) this.drawPlayer(player);
    if (crosshair) this.drawCrosshair(crosshair, hit);
  }

  private drawFloor(): void {
    const g = this.context;
    const half = this.rules.arenaHalfSize;
    const corner = this.toScreen(-half, -half);
    const size = 2 * half * this.scale;
    g.fillStyle = '#111821';
    g.fillRect(corner.x, corner.y, size, size);
    g.strokeStyle = 'rgba(255,255,255,0.05)';
    g.lineWidth = 1;
    g.beginPath();
    for (let line = -half; line <= half; line += 2) {
      const a = this.toScreen(line, -half);
      const b = this.toScreen(line, half);
      g.moveTo(a.x, a.y);
      g.lineTo(b.x, b.y);
      const c = this.toScreen(-half, line);
      const d = this.toScreen(half, line);
      g.moveTo(c.x, c.y);
      g.lineTo(d.x, d.y);
    }
    g.stroke();
    g.strokeStyle = '#3b4a5c';
    g.lineWidth = 3;
    g.strokeRect(corner.x, corner.y, size, size);
  }

  private drawTracer(tracer: Tracer): void {
    const g = this.context;
    const from = this.toScreen(tracer.fromX, tracer.fromZ);
    const to = this.toScreen(tracer.toX, tracer.toZ);
    g.strokeStyle = `rgba(255, 230, 140, ${tracer.life.toFixed(2)})`;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(from.x, from.y);
    g.lineTo(to.x, to.y);
    g.stroke();
  }

  private drawPlayer(player: DrawnPlayer): void {
    const g = this.context;
    const at = this.toScreen(player.x, player.z);
    const radius = Math.max(6, this.rules.playerRadius * 1.4 * this.scale);
    if (!player.alive) {
      g.strokeStyle = 'rgba(200,200,200,0.35)';
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(at.x - radius * 0.6, at.y - radius * 0.6);
      g.lineTo(at.x + radius * 0.6, at.y + radius * 0.6);
      g.moveTo(at.x + radius * 0.6, at.y - radius * 0.6);
      g.lineTo(at.x - radius * 0.6, at.y + radius * 0.6);
      g.stroke();
      return;
    }
    // Facing: yaw 0 looks along +z (down the screen), yaw = atan2(x, z).
    const nose = { x: at.x + Math.sin(player.yaw) * radius * 1.7, y: at.y + Math.cos(player.yaw) * radius * 1.7 };
    g.strokeStyle = player.color;
    g.lineWidth = 3;
    g.beginPath();
    g.moveTo(at.x, at.y);
    g.lineTo(nose.x, nose.y);
    g.stroke();
    g.fillStyle = player.color;
    g.beginPath();
    g.arc(at.x, at.y, radius, 0, Math.PI * 2);
    g.fill();
    if (player.me) {
      g.strokeStyle = '#ffffff';
      g.lineWidth = 2;
      g.stroke();
    }
    const barWidth = radius * 2.6;
    const barTop = at.y - radius - 9;
    g.fillStyle = 'rgba(0,0,0,0.6)';
    g.fillRect(at.x - barWidth / 2, barTop, barWidth, 4);
    const share = Math.max(0, Math.min(1, player.health / this.rules.maxHealth));
    g.fillStyle = share > 0.5 ? '#3fb950' : share > 0.25 ? '#d29922' : '#f85149';
    g.fillRect(at.x - barWidth / 2, barTop, barWidth * share, 4);
    g.fillStyle = '#e6edf3';
    g.font = '12px system-ui, sans-serif';
    g.textAlign = 'center';
    g.fillText(player.name, at.x, barTop - 4);
  }

  private drawCrosshair(at: { x: number; y: number }, hit: boolean): void {
    const g = this.context;
    g.strokeStyle = '#ffffff';
    g.lineWidth = 1.5;
    g.beginPath();
    g.arc(at.x, at.y, 7, 0, Math.PI * 2);
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      g.moveTo(at.x + dx * 4, at.y + dy * 4);
      g.lineTo(at.x + dx * 11, at.y + dy * 11);
    }
    g.stroke();
    if (!hit) return;
    g.strokeStyle = '#ff7b72';
    g.lineWidth = 2.5;
    g.beginPath();
    for (const [dx, dy] of [[1, 1], [-1, 1], [1, -1], [-1, -1]] as const) {
      g.moveTo(at.x + dx * 6, at.y + dy * 6);
      g.lineTo(at.x + dx * 14, at.y + dy * 14);
    }
    g.stroke();
  }
}

const PALETTE = ['#f778ba', '#d29922', '#a371f7', '#56d364', '#ff7b72', '#79c0ff', '#ffa657', '#39c5cf'];
const TEAM_COLORS = ['#ff7b72', '#79c0ff', '#56d364', '#d29922', '#a371f7', '#f778ba', '#ffa657', '#39c5cf'];

/** A color per player (entities are numbered in join order, so neighbours differ), or the team's in team modes. */
export function playerColor(entityId: number, team: number | undefined): string {
  if (team !== undefined && team > 0) return TEAM_COLORS[(team - 1) % TEAM_COLORS.length]!;
  return PALETTE[entityId % PALETTE.length]!;
}
