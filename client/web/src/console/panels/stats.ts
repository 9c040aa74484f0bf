import { LineChart } from '../chart.js';
import { byId, setText, setTitled } from '../dom.js';
import { clock, duration } from '../format.js';
import { Panel, type PanelContext } from './panel.js';

/** Samples kept per chart: two minutes at one poll every 2 s. */
const SAMPLES = 60;

const count = (value: number) => String(Math.round(value));
const millis = (value: number) => (value < 10 ? `${value.toFixed(2)} ms` : duration(value));

/** This node's own figures as numbers and as small live charts of the last two minutes. */
export class StatsPanel extends Panel {
  private readonly connections = new LineChart(byId<HTMLCanvasElement>('chart-connections'), { capacity: SAMPLES, color: '#4fa3ff', format: count });
  private readonly tick = new LineChart(byId<HTMLCanvasElement>('chart-tick'), { capacity: SAMPLES, color: '#3fb950', format: millis });
  private readonly queueWait = new LineChart(byId<HTMLCanvasElement>('chart-queue-wait'), { capacity: SAMPLES, color: '#d29922', format: millis });

  constructor(section: HTMLElement, context: PanelContext) {
    super(section, context);
    // The canvases follow the layout's width; redraw at the new size.
    window.addEventListener('resize', () => {
      for (const chart of this.charts()) chart.draw();
    });
  }

  protected async load(): Promise<void> {
    const stats = await this.api.adminStats();
    setTitled(byId('stat-node'), stats.node, `as of ${clock(new Date(stats.at))}`);
    setText(byId('stat-connections'), String(stats.connections));
    setText(byId('stat-rooms'), String(stats.rooms));
    setText(byId('stat-players'), String(stats.players_in_rooms));
    setText(byId('stat-queued'), String(stats.queued));
    this.connections.push(stats.connections);
    this.tick.push(stats.tick_p99_ms);
    this.queueWait.push(stats.queue_wait_p99_ms);
  }

  /** Forgets the samples, e.g. when another operator logs in. */
  clear(): void {
    for (const chart of this.charts()) chart.clear();
  }

  private charts(): LineChart[] {
    return [this.connections, this.tick, this.queueWait];
  }
}
