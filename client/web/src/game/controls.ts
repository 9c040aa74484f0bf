/** Keyboard and mouse state of the arena: held movement keys, the mouse position on the canvas, shots asked for. */
const KEYS: Record<string, [number, number]> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

export class Controls {
  private readonly held = new Set<string>();
  /** Mouse position in canvas CSS pixels; undefined until the mouse is over the canvas. */
  mouse: { x: number; y: number } | undefined;
  /** Mouse moves seen since the last `take()` of them (aim locks end on real mouse use). */
  mouseMoves = 0;
  private shotRequested = false;
  private readonly detach: () => void;

  constructor(canvas: HTMLCanvasElement, private readonly typing: () => boolean) {
    const onKey = (down: boolean) => (event: KeyboardEvent) => {
      if (this.typing()) return;
      if (event.code in KEYS) {
        if (down) this.held.add(event.code);
        else this.held.delete(event.code);
        event.preventDefault();
      } else if (event.code === 'Space') {
        if (down) this.shotRequested = true;
        event.preventDefault();
      }
    };
    const keydown = onKey(true);
    const keyup = onKey(false);
    const blur = () => this.held.clear();
    const move = (event: MouseEvent) => {
      const box = canvas.getBoundingClientRect();
      this.mouse = { x: event.clientX - box.left, y: event.clientY - box.top };
      this.mouseMoves++;
    };
    const press = (event: MouseEvent) => {
      if (event.button !== 0) return;
      move(event);
      this.mouseMoves--;
      this.shotRequested = true;
      event.preventDefault();
    };
    window.addEventListener('keydown', keydown);
    window.addEventListener('keyup', keyup);
    window.addEventListener('blur', blur);
    canvas.addEventListener('mousemove', move);
    canvas.addEventListener('mousedown', press);
    this.detach = () => {
      window.removeEventListener('keydown', keydown);
      window.removeEventListener('keyup', keyup);
      window.removeEventListener('blur', blur);
      canvas.removeEventListener('mousemove', move);
      canvas.removeEventListener('mousedown', press);
    };
  }

  /** The held direction on the ground (x right, z down the screen), at most 1 long. */
  movement(): { x: number; z: number } {
    let x = 0;
    let z = 0;
    for (const code of this.held) {
      const [dx, dz] = KEYS[code]!;
      x += dx;
      z += dz;
    }
    x = Math.sign(x);
    z = Math.sign(z);
    const length = Math.hypot(x, z);
    return length > 0 ? { x: x / length, z: z / length } : { x: 0, z: 0 };
  }

  /** True once per click or space press. */
  takeShot(): boolean {
    const requested = this.shotRequested;
    this.shotRequested = false;
    return requested;
  }

  dispose(): void {
    this.detach();
    this.held.clear();
  }
}
