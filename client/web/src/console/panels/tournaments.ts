import type { TournamentDetails, TournamentMatch, TournamentSummary } from '../api.js';
import type { ActionDialog } from '../dialogs.js';
import { byId, button, el, setClass, setText, setTitled } from '../dom.js';
import { dateTime } from '../format.js';
import { cells, KeyedRows } from '../rows.js';
import { Panel, type PanelContext } from './panel.js';

const LIST_LIMIT = 20;

/** A tournament row: the summary, and for one under way or over, its details (matches to reopen). */
interface TournamentRow {
  summary: TournamentSummary;
  details: TournamentDetails | undefined;
}

/** The matches an organizer can reopen: played ones between two players (a bye has nothing to replay). */
function reopenable(details: TournamentDetails | undefined): TournamentMatch[] {
  if (!details) return [];
  return details.matches.filter((match) => match.state === 'done' && !match.players.includes('bye'));
}

function matchLabel(match: TournamentMatch, names: Map<string, string>): string {
  const side = (player: string | null | undefined) => (player ? (names.get(player) ?? player) : '?');
  return `${match.id} · ${side(match.players[0])} vs ${side(match.players[1])} · ${match.score.join('–')}`;
}

/** Tournaments, newest first: start one in registration, reopen a played match of one under way. */
export class TournamentsPanel extends Panel {
  private readonly rows: KeyedRows<TournamentRow>;
  private readonly replay = byId<HTMLInputElement>('reopen-replay');

  constructor(
    section: HTMLElement,
    context: PanelContext,
    private readonly reopenDialog: ActionDialog,
  ) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-tournaments'), {
      keyAttribute: 'tournamentId',
      keyOf: (row) => row.summary.id,
      build: (row, key) => {
        const actions = cells(row, 8)[7]!;
        actions.className = 'actions';
        const select = el('select', 'reopen-match');
        select.title = 'A played match to reopen';
        actions.append(
          button('start', 'Start', () => void this.start(key)),
          select,
          button('reopen', 'Reopen…', () => void this.askToReopen(key, select.value)),
        );
      },
      fill: (row, { summary, details }) => {
        const [name, mode, status, entrants, formats, starts, progress, actions] = row.cells;
        setTitled(name!, summary.name, summary.id);
        setText(mode!, summary.game_mode);
        setText(status!, summary.status);
        setClass(status!, 'accent-text', summary.status === 'running');
        setText(entrants!, `${summary.entrant_count} / ${summary.max_entrants}`);
        setText(formats!, summary.formats.join(' → '));
        setText(starts!, summary.starts_at ? dateTime(summary.starts_at) : 'by an organizer');
        const done = details?.matches.filter((match) => match.state === 'done').length ?? 0;
        setText(progress!, details ? `${done} / ${details.matches.length} played${details.blocked ? ` · blocked: ${details.blocked}` : ''}` : '–');
        setClass(progress!, 'warn-text', details?.blocked !== undefined);

        const start = actions!.querySelector<HTMLButtonElement>('button.start')!;
        start.hidden = summary.status !== 'registration';
        const matches = reopenable(details);
        const select = actions!.querySelector<HTMLSelectElement>('select.reopen-match')!;
        fillOptions(select, matches, new Map(details?.entrants.map((entrant) => [entrant.player_id, entrant.name]) ?? []));
        select.hidden = matches.length === 0;
        actions!.querySelector<HTMLButtonElement>('button.reopen')!.hidden = matches.length === 0;
      },
    }, this.empty);
  }

  protected async load(): Promise<void> {
    const summaries = await this.api.listTournaments({ limit: LIST_LIMIT });
    const rows = await Promise.all(
      summaries.map(async (summary): Promise<TournamentRow> => ({
        summary,
        details: summary.status === 'registration' ? undefined : await this.api.getTournament(summary.id),
      })),
    );
    this.rows.update(rows);
  }

  private name(id: string): string {
    return this.rows.item(id)?.summary.name ?? id;
  }

  private start(id: string): Promise<void> {
    const name = this.name(id);
    return this.act(`Starting ${name}`, async () => {
      const started = await this.api.startTournament(id);
      return `Started ${name}: ${started.entrants.length} entrants, ${started.matches.length} matches`;
    });
  }

  /** Shows what reopening would reset (nothing changes yet); the dialog's confirm applies it. */
  private async askToReopen(id: string, matchId: string): Promise<void> {
    if (!matchId) return;
    const name = this.name(id);
    const preview = await this.api.previewReopen(id, matchId).catch((error: unknown) => {
      this.status.failed(`Reopening ${matchId} of ${name}`, error);
    });
    if (!preview) return;
    this.replay.checked = false;
    this.reopenDialog.open(`Reopen ${matchId} of ${name}`, async () => {
      const result = await this.api.reopenMatch(id, matchId, { replay: this.replay.checked });
      const reset = result.reset.length ? `; reset ${result.reset.join(', ')}` : '';
      void this.succeeded(`Reopened ${matchId} of ${name}${this.replay.checked ? ' to be played again' : ''}${reset}`);
    });
    this.reopenDialog.describe(preview.reset.length ? `This also resets ${preview.reset.join(', ')}.` : 'No other match is reset.');
  }
}

/** Rewrites a select's options only when the list changed, keeping the operator's choice. */
function fillOptions(select: HTMLSelectElement, matches: TournamentMatch[], names: Map<string, string>): void {
  const labels = matches.map((match) => matchLabel(match, names));
  const current = Array.from(select.options, (option) => option.textContent).join('\n');
  if (current === labels.join('\n')) return;
  const chosen = select.value;
  select.replaceChildren(
    ...matches.map((match, index) => {
      const option = el('option', undefined, labels[index]);
      option.value = match.id;
      return option;
    }),
  );
  if (matches.some((match) => match.id === chosen)) select.value = chosen;
}
