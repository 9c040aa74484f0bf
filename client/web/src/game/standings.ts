import { GameV1Error, type GameV1Client, type TournamentDetails, type TournamentSummary } from '../../../src/index.js';
import { errorText } from '../shared/api.js';
import { byId, el, setText } from '../shared/dom.js';

type Match = TournamentDetails['matches'][number];

const TOP = 10;

/** The lobby's side panels: a leaderboard table, the player's league standing and the tournaments with brackets. */
export class Standings {
  private readonly openBrackets = new Set<string>();
  private openedOne = false;

  constructor(
    private readonly client: GameV1Client,
    private readonly playerId: () => string | undefined,
  ) {
    byId<HTMLSelectElement>('leaderboard-board').addEventListener('change', () => void this.leaderboard());
  }

  async refresh(): Promise<void> {
    await Promise.all([this.leaderboard(), this.league(), this.tournaments()]);
  }

  private async leaderboard(): Promise<void> {
    const select = byId<HTMLSelectElement>('leaderboard-board');
    const table = byId<HTMLTableElement>('leaderboard');
    try {
      const boards = await this.client.listLeaderboards();
      const ids = boards.map((board) => board.id);
      if (select.options.length !== ids.length) {
        const chosen = select.value;
        select.replaceChildren(...ids.map((id) => el('option', undefined, id)));
        select.value = ids.includes(chosen) ? chosen : (ids.find((id) => id === 'rating.deathmatch') ?? ids[0] ?? '');
      }
      if (!select.value) {
        table.replaceChildren(row('td', ['No leaderboards yet']));
        return;
      }
      const page = await this.client.getLeaderboard(select.value, { limit: TOP });
      const rows = page.records.map((record) => {
        const line = row('td', [String(record.rank), record.display_name, String(record.score)]);
        if (record.player_id === this.playerId()) line.className = 'me';
        return line;
      });
      table.replaceChildren(row('th', ['#', 'Player', 'Score']), ...(rows.length ? rows : [row('td', ['', 'No records yet', ''])]));
    } catch (error) {
      table.replaceChildren(row('td', [errorText(error)]));
    }
  }

  private async league(): Promise<void> {
    const box = byId('league');
    try {
      const standing = await this.client.myLeagueStanding();
      const rung = standing.rung ? `${standing.rung.tier}${standing.rung.division === null ? '' : ` ${roman(standing.rung.division)}`}` : 'Placements';
      const detail = standing.rung
        ? `${standing.points} pts · rank ${standing.rank ?? '–'} of ${standing.division_size}${standing.zone ? ` · ${standing.zone} zone` : ''}`
        : `${standing.placements_left} placement games left`;
      setText(box, `${rung} — ${detail} · season ${standing.season_id}, ${standing.games_played} games`);
    } catch (error) {
      if (error instanceof GameV1Error && error.code === 'not_a_member') {
        const info = await this.client.league().catch(() => undefined);
        setText(box, `Not in the league yet: play a rated ${info?.game_mode ?? ''} game to enter it.`.replace('  ', ' '));
      } else setText(box, errorText(error));
    }
  }

  private async tournaments(): Promise<void> {
    const list = byId('tournaments');
    let tournaments: TournamentSummary[];
    try {
      tournaments = await this.client.listTournaments({ limit: 10 });
    } catch (error) {
      list.replaceChildren(el('li', 'muted', errorText(error)));
      return;
    }
    if (tournaments.length === 0) {
      list.replaceChildren(el('li', 'muted', 'No tournaments yet.'));
      return;
    }
    // The first one with matches opens by itself, so a bracket is on show without a click.
    const first = tournaments.find((t) => t.status !== 'registration');
    if (!this.openedOne && first) {
      this.openedOne = true;
      this.openBrackets.add(first.id);
    }
    const items = await Promise.all(tournaments.map((tournament) => this.tournamentItem(tournament)));
    list.replaceChildren(...items);
  }

  private async tournamentItem(tournament: TournamentSummary): Promise<HTMLLIElement> {
    const item = el('li');
    item.dataset.tournamentId = tournament.id;
    const head = el('div', 'head');
    head.append(
      el('b', undefined, tournament.name),
      el('span', 'muted', `${tournament.game_mode} · ${tournament.formats.join(' → ')} · ${tournament.status} · ${tournament.entrant_count}/${tournament.max_entrants}`),
    );
    head.addEventListener('click', () => {
      if (!this.openBrackets.delete(tournament.id)) this.openBrackets.add(tournament.id);
      void this.tournaments();
    });
    item.append(head);
    if (this.openBrackets.has(tournament.id)) {
      try {
        item.append(bracket(await this.client.getTournament(tournament.id)));
      } catch (error) {
        item.append(el('div', 'error', errorText(error)));
      }
    }
    return item;
  }
}

function row(cell: 'td' | 'th', texts: readonly string[]): HTMLTableRowElement {
  const line = el('tr');
  for (const text of texts) line.append(el(cell, undefined, text));
  return line;
}

function roman(division: number): string {
  return ['', 'I', 'II', 'III', 'IV', 'V', 'VI'][division] ?? String(division);
}

const BRACKET_NAMES: Record<string, string> = { winners: 'Winners bracket', losers: 'Losers bracket', grand_final: 'Grand final', third_place: 'Third place' };

/** `group:2` → Group 2; the elimination brackets by name; anything else as it is. */
const bracketName = (bracket: string) => BRACKET_NAMES[bracket] ?? bracket.replace(/^group:/, 'Group ');

/** Matches as brackets: one block per stage and bracket, one column per round, one box per match. */
function bracket(details: TournamentDetails): HTMLElement {
  const names = new Map(details.entrants.map((entrant) => [entrant.player_id, entrant.name]));
  const label = (player: string | null) => (player === null ? 'TBD' : player === 'bye' ? 'bye' : (names.get(player) ?? player.slice(0, 8)));
  const container = el('div', 'brackets');
  if (details.matches.length === 0) {
    container.append(el('div', 'muted small', `${details.entrants.length} registered; the bracket appears at the start.`));
    return container;
  }
  const groups = new Map<string, Match[]>();
  for (const match of details.matches) {
    const key = `${match.stage}\u0000${match.bracket}`;
    groups.set(key, [...(groups.get(key) ?? []), match]);
  }
  for (const [key, matches] of groups) {
    const [stage, name] = key.split('\u0000') as [string, string];
    const group = el('div', 'bracket-group');
    group.append(el('b', undefined, `Stage ${stage} · ${bracketName(name)}`));
    const columns = el('div', 'bracket');
    const rounds = [...new Set(matches.map((match) => match.round))].sort((a, b) => a - b);
    for (const round of rounds) {
      const column = el('div', 'round');
      const boxes = el('div', 'matches');
      for (const match of matches.filter((m) => m.round === round)) boxes.append(matchBox(match, label));
      column.append(el('div', 'title', `Round ${round}`), boxes);
      columns.append(column);
    }
    group.append(columns);
    container.append(group);
  }
  if (details.placements.length > 0) {
    const podium = details.placements.slice(0, 3).map((p) => `${p.place}. ${label(p.player_id)}`).join('  ');
    container.append(el('div', 'small', `Final: ${podium}`));
  }
  return container;
}

function matchBox(match: Match, label: (player: string | null) => string): HTMLElement {
  const box = el('div', `match ${match.state}`);
  box.dataset.matchId = match.id;
  box.title = `${match.id} · ${match.state}${match.best_of > 1 ? ` · best of ${match.best_of}` : ''}`;
  match.players.forEach((player, side) => {
    const line = el('div', 'side-row');
    if (player !== null && player === match.winner_id) line.classList.add('winner');
    const score = match.state === 'waiting' || match.players.includes('bye') ? '' : String(match.score[side] ?? 0);
    line.append(el('span', undefined, label(player)), el('span', undefined, score));
    box.append(line);
  });
  return box;
}
