import type { AdminQueue } from '../api.js';
import { byId, setClass, setText } from '../dom.js';
import { duration } from '../format.js';
import { cells, KeyedRows } from '../rows.js';
import { Panel, type PanelContext } from './panel.js';

/** A wait this long is worth the operator's eye. */
const LONG_WAIT_MS = 60_000;

/** Matchmaking queues per game mode and region: how many wait, and for how long the first of them has. */
export class QueuesPanel extends Panel {
  private readonly rows: KeyedRows<AdminQueue>;

  constructor(section: HTMLElement, context: PanelContext) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-queues'), {
      keyAttribute: 'queue',
      keyOf: (queue) => `${queue.game_mode}/${queue.region}`,
      build: (row) => void cells(row, 4),
      fill: (row, queue) => {
        const [mode, region, size, wait] = row.cells;
        setText(mode!, queue.game_mode);
        setText(region!, queue.region);
        setText(size!, String(queue.size));
        setText(wait!, queue.size > 0 ? duration(queue.oldest_wait_ms) : '–');
        setClass(wait!, 'warn-text', queue.oldest_wait_ms >= LONG_WAIT_MS);
      },
    }, this.empty);
  }

  protected async load(): Promise<void> {
    this.rows.update(await this.api.adminQueues());
  }
}
