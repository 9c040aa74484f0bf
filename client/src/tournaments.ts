import type {
  MatchReport,
  PlayerRole,
  ReopenResult,
  Role,
  TournamentDetails,
  TournamentEvent,
  TournamentEvents,
  TournamentList,
  TournamentSettings,
  TournamentStatus,
  TournamentSummary,
} from '../../src/api/index.js';
import { query } from './query.js';
import type { AuthSession } from './session.js';

export interface TournamentFilter {
  status?: TournamentStatus;
  game_mode?: string;
  /** 1-100, default 20. */
  limit?: number;
  offset?: number;
}

export interface TournamentEventsQuery {
  /** Only events after this seq (0: from the start). */
  after?: number;
  /** 1-1000, default 100. */
  limit?: number;
}

/** /api/tournaments and player roles over HTTP; reads work logged out, the rest need a token. */
export class TournamentRequests {
  constructor(private readonly session: AuthSession) {}

  async list(filter: TournamentFilter = {}): Promise<TournamentSummary[]> {
    const { tournaments } = await this.session.call<TournamentList>('GET', `/api/tournaments${query(filter)}`, undefined, { optional: true });
    return tournaments;
  }

  get(id: string): Promise<TournamentDetails> {
    return this.session.call('GET', `/api/tournaments/${encodeURIComponent(id)}`, undefined, { optional: true });
  }

  async events(id: string, options: TournamentEventsQuery = {}): Promise<TournamentEvent[]> {
    const path = `/api/tournaments/${encodeURIComponent(id)}/events${query(options)}`;
    const { events } = await this.session.call<TournamentEvents>('GET', path, undefined, { optional: true });
    return events;
  }

  create(settings: TournamentSettings): Promise<TournamentDetails> {
    return this.session.call('POST', '/api/tournaments', settings);
  }

  command<T = TournamentDetails>(method: 'POST' | 'DELETE', id: string, action: string, body?: object): Promise<T> {
    return this.session.call(method, `/api/tournaments/${encodeURIComponent(id)}/${action}`, body ?? (method === 'POST' ? {} : undefined));
  }

  report(id: string, matchId: string, report: MatchReport): Promise<TournamentDetails> {
    return this.command('POST', id, `matches/${encodeURIComponent(matchId)}/report`, report);
  }

  reopen(id: string, matchId: string, body: { confirm: boolean; replay?: boolean }): Promise<ReopenResult> {
    return this.command<ReopenResult>('POST', id, `matches/${encodeURIComponent(matchId)}/reopen`, body);
  }

  roleOf(playerId: string): Promise<PlayerRole> {
    return this.session.call('GET', `/api/players/${encodeURIComponent(playerId)}/role`);
  }

  setRole(playerId: string, role: Role): Promise<PlayerRole> {
    return this.session.call('PUT', `/api/players/${encodeURIComponent(playerId)}/role`, { role });
  }
}
