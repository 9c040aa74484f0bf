/** A small live line chart on a canvas 2D context: the last samples of one value, newest on the right. */

export interface ChartOptions {
  /** Samples kept (one every poll: 60 × 2 s = the last two minutes). */
  capacity: number;
  color: string;
  /** Formats a value for the labels (current value, scale top). */
  format(value: number): string;
}

const GRID = 'rgba(139, 148, 163, 0.18)';
const LABEL = '#8b94a3';
const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

export class LineChart {
  private readonly samples: number[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly options: ChartOptions,
  ) {}

  push(value: number): void {
    this.samples.push(value);
    if (this.samples.length > this.options.capacity) this.samples.shift();
    this.draw();
  }

  clear(): void {
    this.samples.length = 0;
    this.draw();
  }

  draw(): void {
    const context = this.prepare();
    if (!context) return;
    const { width, height } = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const padTop = 16 * ratio;
    const padBottom = 4 * ratio;
    const plotHeight = height - padTop - padBottom;
    const top = niceCeiling(Math.max(0, ...this.samples));

    context.clearRect(0, 0, width, height);
    context.lineWidth = ratio;
    context.strokeStyle = GRID;
    for (let line = 0; line <= 2; line++) {
      const y = Math.round(padTop + (plotHeight * line) / 2) + 0.5;
      context.beginPath();
      context.moveTo(0, y);
      context.lineTo(width, y);
      context.stroke();
    }

    context.font = FONT.replace('11px', `${11 * ratio}px`);
    context.textBaseline = 'top';
    context.fillStyle = LABEL;
    context.textAlign = 'left';
    context.fillText(`max ${this.options.format(top)}`, 2 * ratio, 2 * ratio);

    const count = this.samples.length;
    if (count === 0) return;
    const step = width / (this.options.capacity - 1);
    const x = (index: number) => width - (count - 1 - index) * step;
    const y = (value: number) => padTop + plotHeight * (1 - value / top);

    context.beginPath();
    this.samples.forEach((value, index) => (index === 0 ? context.moveTo(x(index), y(value)) : context.lineTo(x(index), y(value))));
    context.strokeStyle = this.options.color;
    context.lineWidth = 1.5 * ratio;
    context.lineJoin = 'round';
    context.stroke();

    context.lineTo(x(count - 1), padTop + plotHeight);
    context.lineTo(x(0), padTop + plotHeight);
    context.closePath();
    context.globalAlpha = 0.15;
    context.fillStyle = this.options.color;
    context.fill();
    context.globalAlpha = 1;

    context.textAlign = 'right';
    context.fillStyle = this.options.color;
    context.fillText(this.options.format(this.samples[count - 1]!), width - 2 * ratio, 2 * ratio);
  }

  /** Matches the backing store to the displayed size (and the pixel ratio) so lines stay sharp. */
  private prepare(): CanvasRenderingContext2D | null {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    return this.canvas.getContext('2d');
  }
}

/** The smallest 1, 2 or 5 × 10^n at or above `value` (at least 1), so the scale reads well and moves rarely. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) {
    if (value <= factor * magnitude) return factor * magnitude;
  }
  return 10 * magnitude;
}
