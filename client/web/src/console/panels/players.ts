import type { AdminPlayer, Ban } from '../api.js';
import { requiredReason, type ActionDialog } from '../dialogs.js';
import { byId, button, el, setClass, setText, setTitled } from '../dom.js';
import { dateTime, localInputToIso, shortId } from '../format.js';
import { cells, KeyedRows } from '../rows.js';
import { Panel, type PanelContext } from './panel.js';

const SEARCH_LIMIT = 50;

/** "until 2026-12-05 18:00:00: cheating" or "permanent: cheating". */
export function banText(ban: Ban): string {
  return `${ban.until ? `until ${dateTime(ban.until)}` : 'permanent'}: ${ban.reason}`;
}

/** Players found by name, email or id, refreshed like the rest; kick, ban and unban them. */
export class PlayersPanel extends Panel {
  private readonly rows: KeyedRows<AdminPlayer>;
  private readonly search = byId<HTMLInputElement>('console-players-search');
  private readonly kickReason = byId<HTMLInputElement>('kick-reason');
  private readonly banReason = byId<HTMLInputElement>('ban-reason');
  private readonly banUntil = byId<HTMLInputElement>('ban-until');
  /** The query of the last search, which every refresh repeats. */
  private query = '';

  constructor(
    section: HTMLElement,
    context: PanelContext,
    private readonly kickDialog: ActionDialog,
    private readonly banDialog: ActionDialog,
  ) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-players'), {
      keyAttribute: 'playerId',
      keyOf: (player) => player.player_id,
      build: (row, key) => {
        const [name, , , online, , , actions] = cells(row, 7);
        name!.append(el('span', 'name'), el('span', 'tag'));
        online!.append(el('span', 'dot'));
        actions!.className = 'actions';
        actions!.append(
          button('kick', 'Kick', () => this.askToKick(key)),
          button('ban danger', 'Ban', () => this.askToBan(key)),
          button('unban', 'Unban', () => void this.unban(key)),
        );
      },
      fill: (row, player) => {
        const [name, email, role, online, ban, created, actions] = row.cells;
        setTitled(name!.firstElementChild as HTMLElement, player.display_name, player.player_id);
        setText(name!.lastElementChild as HTMLElement, player.is_guest ? 'guest' : '');
        setText(email!, player.email ?? '–');
        setText(role!, player.role);
        setClass(role!, 'accent-text', player.role !== 'player');
        const dot = online!.firstElementChild as HTMLElement;
        setClass(dot, 'on', player.online);
        setTitled(dot, '', player.online ? 'online' : 'offline');
        setTitled(ban!, player.ban ? banText(player.ban) : '–', player.ban ? `by ${player.ban.by} at ${dateTime(player.ban.at)}` : '');
        setClass(ban!, 'bad-text', player.ban !== null);
        setTitled(created!, dateTime(player.created_at), shortId(player.player_id));
        const unban = actions!.querySelector<HTMLButtonElement>('button.unban')!;
        unban.hidden = player.ban === null;
      },
    }, this.empty);

    byId<HTMLFormElement>('console-players-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.query = this.search.value.trim();
      void this.refresh();
    });
  }

  protected async load(): Promise<void> {
    const query = this.query;
    const players = await this.api.searchPlayers(query, SEARCH_LIMIT);
    // A refresh still under way when a new search was made must not overwrite its results.
    if (query === this.query) this.rows.update(players);
  }

  private label(playerId: string): string {
    return this.rows.item(playerId)?.display_name ?? playerId;
  }

  private askToKick(playerId: string): void {
    const name = this.label(playerId);
    this.kickDialog.open(`Kick ${name}`, async () => {
      const reason = requiredReason(this.kickReason);
      const { disconnected } = await this.api.kickPlayer(playerId, reason);
      void this.succeeded(disconnected ? `Kicked ${name}: ${reason}` : `${name} was not connected; nothing to close`);
    });
  }

  private askToBan(playerId: string): void {
    const name = this.label(playerId);
    this.banDialog.open(`Ban ${name}`, async () => {
      const reason = requiredReason(this.banReason);
      const until = localInputToIso(this.banUntil.value);
      const { ban } = await this.api.banPlayer(playerId, reason, until);
      void this.succeeded(`Banned ${name} ${banText(ban)}`);
    });
  }

  private unban(playerId: string): Promise<void> {
    const name = this.label(playerId);
    return this.act(`Unbanning ${name}`, async () => {
      await this.api.unbanPlayer(playerId);
      return `Unbanned ${name}`;
    });
  }
}
