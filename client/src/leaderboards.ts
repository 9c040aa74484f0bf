import type { LeaderboardDefinition, LeaderboardPage, LeaderboardPeriods, LeaderboardRecord, ScoreSubmission } from '../../src/api/index.js';
import { query } from './query.js';
import type { AuthSession } from './session.js';

export interface LeaderboardQuery {
  /** 1-100, default 20. */
  limit?: number;
  offset?: number;
  /** An older period by id (epoch seconds of its start); default the current one. */
  period?: number;
  /** Records around this player instead of the top. */
  around?: string;
  /** With `around`: records above and below, default 5. */
  radius?: number;
  /** Only these players (e.g. friends, up to 100), in rank order. */
  players?: readonly string[];
}

/** /api/leaderboards over HTTP; reads work logged out, the caller's own record and writes need a token. */
export class LeaderboardRequests {
  constructor(private readonly session: AuthSession) {}

  async list(): Promise<LeaderboardDefinition[]> {
    const { leaderboards } = await this.session.call<{ leaderboards: LeaderboardDefinition[] }>('GET', '/api/leaderboards', undefined, { optional: true });
    return leaderboards;
  }

  get(id: string, { players, ...options }: LeaderboardQuery = {}): Promise<LeaderboardPage> {
    const params = { ...options, players: players?.join(',') };
    return this.session.call('GET', `/api/leaderboards/${encodeURIComponent(id)}${query(params)}`, undefined, { optional: true });
  }

  periods(id: string): Promise<LeaderboardPeriods> {
    return this.session.call('GET', `/api/leaderboards/${encodeURIComponent(id)}/periods`, undefined, { optional: true });
  }

  mine(id: string, options: Pick<LeaderboardQuery, 'period' | 'radius'> = {}): Promise<LeaderboardPage> {
    return this.session.call('GET', `/api/leaderboards/${encodeURIComponent(id)}/me${query(options)}`);
  }

  create(definition: LeaderboardDefinition): Promise<LeaderboardDefinition> {
    return this.session.call('POST', '/api/leaderboards', definition);
  }

  submit(id: string, score: ScoreSubmission): Promise<LeaderboardRecord> {
    return this.session.call('POST', `/api/leaderboards/${encodeURIComponent(id)}/scores`, score);
  }
}
