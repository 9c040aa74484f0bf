import type { AdminRoom } from '../api.js';
import { requiredReason, type ActionDialog } from '../dialogs.js';
import { byId, button, setText, setTitled } from '../dom.js';
import { ago, dateTime } from '../format.js';
import { cells, KeyedRows } from '../rows.js';
import { Panel, type PanelContext } from './panel.js';

/** Every room of the deployment with its players; an operator can end one, with a reason the players see. */
export class RoomsPanel extends Panel {
  private readonly rows: KeyedRows<AdminRoom>;
  private readonly reason = byId<HTMLInputElement>('end-room-reason');

  constructor(
    section: HTMLElement,
    context: PanelContext,
    private readonly endDialog: ActionDialog,
  ) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-rooms'), {
      keyAttribute: 'roomId',
      keyOf: (room) => room.room_id,
      build: (row, key) => {
        const actions = cells(row, 8)[7]!;
        actions.className = 'actions';
        actions.append(button('end-room danger', 'End', () => this.askToEnd(key)));
      },
      fill: (row, room) => {
        const [name, mode, node, status, players, tick, age] = row.cells;
        setTitled(name!, room.room_name, room.room_id);
        setText(mode!, room.game_mode);
        setText(node!, room.node ?? '–');
        setText(status!, room.status);
        const names = room.players.map((player) => (player.connected ? player.name : `${player.name} (away)`));
        setText(players!, `${room.players.length} / ${room.max_players}${names.length ? ` · ${names.join(', ')}` : ''}`);
        // The room's node's tick time, as a share of its tick budget.
        setText(tick!, room.node_tick_utilization === null ? '–' : `${Math.round(room.node_tick_utilization * 100)} %`);
        setTitled(age!, ago(room.created_at), dateTime(room.created_at));
      },
    }, this.empty);
  }

  protected async load(): Promise<void> {
    this.rows.update(await this.api.adminRooms());
  }

  private askToEnd(roomId: string): void {
    const room = this.rows.item(roomId);
    const label = room ? `${room.room_name} (${room.players.length} players)` : roomId;
    this.endDialog.open(`End room ${label}`, async () => {
      const reason = requiredReason(this.reason);
      await this.api.endRoom(roomId, reason);
      void this.succeeded(`Ended room ${label}: ${reason}`);
    });
  }
}
