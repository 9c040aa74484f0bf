import type { DivisionStandings, LeagueHistory, LeagueInfo, LeagueStanding } from '../../src/api/index.js';
import { query } from './query.js';
import type { AuthSession } from './session.js';

/** /api/leagues over HTTP; everything reads logged out except the caller's own standing and history. */
export class LeagueRequests {
  constructor(private readonly session: AuthSession) {}

  info(): Promise<LeagueInfo> {
    return this.session.call('GET', '/api/leagues', undefined, { optional: true });
  }

  mine(season?: number): Promise<LeagueStanding> {
    return this.session.call('GET', `/api/leagues/me${query({ season })}`);
  }

  myHistory(): Promise<LeagueHistory> {
    return this.session.call('GET', '/api/leagues/me/history');
  }

  player(playerId: string, season?: number): Promise<LeagueStanding> {
    return this.session.call('GET', `/api/leagues/players/${encodeURIComponent(playerId)}${query({ season })}`, undefined, { optional: true });
  }

  playerHistory(playerId: string): Promise<LeagueHistory> {
    return this.session.call('GET', `/api/leagues/players/${encodeURIComponent(playerId)}/history`, undefined, { optional: true });
  }

  division(season: number, divisionId: string): Promise<DivisionStandings> {
    return this.session.call('GET', `/api/leagues/seasons/${season}/divisions/${encodeURIComponent(divisionId)}`, undefined, { optional: true });
  }
}
