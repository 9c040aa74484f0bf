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

/** The matches an organizer can decide by a report (advancing the bracket): both players known, not yet played. */
function reportable(details: TournamentDetails | undefined): TournamentMatch[] {
  if (!details) return [];
  return details.matches.filter(
    (match) => (match.state === 'ready' || match.state === 'in_progress') && match.players.every((player) => player && player !== 'bye'),
  );
}

function matchLabel(match: TournamentMatch, names: Map<string, string>): string {
  const side = (player: string | null | undefined) => (player ? (names.get(player) ?? player) : '?');
  return `${match.id} · ${side(match.players[0])} vs ${side(match.players[1])} · ${match.score.join('–')}`;
}

/**
 * Tournaments, newest first: start one in registration, advance one under way by reporting a match's result,
 * reopen a played match.
 */
export class TournamentsPanel extends Panel {
  private readonly rows: KeyedRows<TournamentRow>;
  private readonly replay = byId<HTMLInputElement>('reopen-replay');
  private readonly winner = byId<HTMLSelectElement>('report-winner');
  private readonly scores = [byId<HTMLInputElement>('report-score-a'), byId<HTMLInputElement>('report-score-b')] as const;

  constructor(
    section: HTMLElement,
    context: PanelContext,
    private readonly reportDialog: ActionDialog,
    private readonly reopenDialog: ActionDialog,
  ) {
    super(section, context);
    this.rows = new KeyedRows(byId<HTMLTableSectionElement>('console-tournaments'), {
      keyAttribute: 'tournamentId',
      keyOf: (row) => row.summary.id,
      build: (row, key) => {
        const actions = cells(row, 8)[7]!;
        actions.className = 'actions';
        const toReport = el('select', 'report-match');
        toReport.title = 'A match to decide by a report';
        const toReopen = el('select', 'reopen-match');
        toReopen.title = 'A played match to reopen';
        actions.append(
          button('start', 'Start', () => void this.start(key)),
          toReport,
          button('report', 'Report…', () => this.askToReport(key, toReport.value)),
          toReopen,
          button('reopen', 'Reopen…', () => void this.askToReopen(key, toReopen.value)),
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
        const names = entrantNames(details);
        for (const [kind, matches] of [['report', reportable(details)], ['reopen', reopenable(details)]] as const) {
          const select = actions!.querySelector<HTMLSelectElement>(`select.${kind}-match`)!;
          fillOptions(select, matches, names);
          select.hidden = matches.length === 0;
          actions!.querySelector<HTMLButtonElement>(`button.${kind}`)!.hidden = matches.length === 0;
        }
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

  /** Asks for the winner (or a draw) and an optional score, and reports them: the bracket moves on. */
  private askToReport(id: string, matchId: string): void {
    const details = this.rows.item(id)?.details;
    const match = details?.matches.find((one) => one.id === matchId);
    if (!details || !match) return;
    const names = entrantNames(details);
    const sides = match.players.filter((player): player is string => typeof player === 'string');
    this.winner.replaceChildren(
      ...sides.map((player) => option(player, names.get(player) ?? player)),
      option('', 'Draw (round-robin, Swiss) or no winner'),
    );
    const name = this.name(id);
    this.reportDialog.open(`Report ${matchLabel(match, names)} of ${name}`, async () => {
      const winner = this.winner.value || null;
      const score = this.score();
      await this.api.reportMatch(id, matchId, { winner_id: winner, ...(score && { score }) });
      const won = winner ? `${names.get(winner) ?? winner} won` : 'no winner';
      void this.succeeded(`Reported ${matchId} of ${name}: ${won}${score ? ` ${score.join('–')}` : ''}`);
    });
    this.reportDialog.describe('The result is final for the bracket until the match is reopened.');
  }

  /** Both score fields as game wins, or undefined when both are empty; one without the other is an error. */
  private score(): [number, number] | undefined {
    const [a, b] = this.scores.map((input) => input.value.trim());
    if (!a && !b) return undefined;
    const wins = [Number(a), Number(b)];
    if (!a || !b || wins.some((value) => !Number.isInteger(value) || value < 0 || value > 99)) {
      throw new Error('a score is two whole numbers of game wins (0–99), or both fields empty');
    }
    return [wins[0]!, wins[1]!];
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

function entrantNames(details: TournamentDetails | undefined): Map<string, string> {
  return new Map(details?.entrants.map((entrant) => [entrant.player_id, entrant.name]) ?? []);
}

function option(value: string, label: string): HTMLOptionElement {
  const element = el('option', undefined, label);
  element.value = value;
  return element;
}

/** Rewrites a select's options only when the list changed, keeping the operator's choice. */
function fillOptions(select: HTMLSelectElement, matches: TournamentMatch[], names: Map<string, string>): void {
  const labels = matches.map((match) => matchLabel(match, names));
  const current = Array.from(select.options, (option) => option.textContent).join('\n');
  if (current === labels.join('\n')) return;
  const chosen = select.value;
  select.replaceChildren(...matches.map((match, index) => option(match.id, labels[index]!)));
  if (matches.some((match) => match.id === chosen)) select.value = chosen;
}
