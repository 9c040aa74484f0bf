import type { ClusterNode } from '../api.js';
import { byId, meter, setClass, setMeter, setText, setTitled } from '../dom.js';
import { percent } from '../format.js';
import { cells, KeyedRows } from '../rows.js';
import { Panel, type PanelContext } from './panel.js';

/** Every live process of the deployment (a `WORKERS > 1` node announces each of its processes) with its load. */
export class NodesPanel extends Panel {
  private readonly rows: KeyedRows<ClusterNode>;

  constructor(section: HTMLElement, context: PanelContext) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-nodes'), {
      keyAttribute: 'nodeId',
      keyOf: (node) => node.id,
      build: (row) => {
        const [, , , , players, , tick] = cells(row, 8);
        players!.append(meter());
        tick!.append(meter());
      },
      fill: (row, node) => {
        const [id, roles, region, address, players, rooms, tick, state] = row.cells;
        setText(id!, node.id);
        setText(roles!, node.roles.join(' + '));
        setText(region!, node.region);
        setTitled(address!, node.address, node.worker_api ? `Worker API ${node.worker_api}` : 'no Worker API');
        const load = node.capacity > 0 ? node.players / node.capacity : 0;
        setMeter(players!.firstElementChild as HTMLSpanElement, load, `${node.players} / ${node.capacity}`);
        setText(rooms!, String(node.rooms));
        setMeter(tick!.firstElementChild as HTMLSpanElement, node.tick_utilization, percent(node.tick_utilization));
        setText(state!, node.draining ? 'draining' : 'serving');
        setClass(state!, 'warn-text', node.draining);
      },
    }, this.empty);
  }

  protected async load(): Promise<void> {
    this.rows.update(await this.api.clusterNodes());
  }
}
