/**
 * What the console calls. Tournaments and roles go through the SDK; the admin routes (/api/admin, typed by the
 * server's own schemas in src/api/admin.ts) are called here with small fetch wrappers: the SDK is for game
 * clients and carries no operator calls. Each call uses the SDK's access token, refreshed (and rotated) through the SDK when due.
 */
import { GameV1Error, type GameV1Client } from '../../../src/index.js';
import type {
  AdminPlayer,
  AdminQueue,
  AdminRoom,
  AdminStats,
  AuditPage,
  Ban,
  BanResult,
  ClusterNode,
  EndRoomResult,
  KickResult,
} from '../../../../src/api/index.js';

export type { AdminPlayer, AdminQueue, AdminRoom, AdminStats, AuditEntry, AuditPage, Ban, ClusterNode, TournamentDetails, TournamentMatch, TournamentSummary } from '../../../../src/api/index.js';

interface AdminCalls {
  clusterNodes(): Promise<ClusterNode[]>;
  adminRooms(): Promise<AdminRoom[]>;
  endRoom(roomId: string, reason: string): Promise<EndRoomResult>;
  adminQueues(): Promise<AdminQueue[]>;
  searchPlayers(q: string, limit?: number): Promise<AdminPlayer[]>;
  kickPlayer(playerId: string, reason: string): Promise<KickResult>;
  banPlayer(playerId: string, reason: string, until: string | null): Promise<BanResult & { ban: Ban }>;
  unbanPlayer(playerId: string): Promise<BanResult>;
  auditLog(query: { limit?: number; before?: number }): Promise<AuditPage>;
  adminStats(): Promise<AdminStats>;
}

type SdkCalls = Pick<GameV1Client, 'listTournaments' | 'getTournament' | 'startTournament' | 'reportMatch' | 'previewReopen' | 'reopenMatch'>;

export type ConsoleApi = SdkCalls & AdminCalls;

export function consoleApi(client: GameV1Client): ConsoleApi {
  const call = async <T>(method: string, path: string, body?: object): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${await client.freshAccessToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new GameV1Error('network_error', `${method} ${path} failed: ${(error as Error).message}`);
    }
    const text = await response.text();
    const data = parseJson(text);
    if (!response.ok) {
      const { code, message } = (data ?? {}) as { code?: string; message?: string };
      throw new GameV1Error(code ?? `http_${response.status}`, message ?? `${method} ${path} answered ${response.status}`, response.status);
    }
    return data as T;
  };

  const id = encodeURIComponent;
  return {
    listTournaments: (filter) => client.listTournaments(filter),
    getTournament: (tournamentId) => client.getTournament(tournamentId),
    startTournament: (tournamentId, seeds) => client.startTournament(tournamentId, seeds),
    reportMatch: (tournamentId, matchId, report) => client.reportMatch(tournamentId, matchId, report),
    previewReopen: (tournamentId, matchId) => client.previewReopen(tournamentId, matchId),
    reopenMatch: (tournamentId, matchId, options) => client.reopenMatch(tournamentId, matchId, options),
    clusterNodes: async () => (await call<{ nodes: ClusterNode[] }>('GET', '/api/cluster/nodes')).nodes,
    adminRooms: async () => (await call<{ rooms: AdminRoom[] }>('GET', '/api/admin/rooms')).rooms,
    endRoom: (roomId, reason) => call('POST', `/api/admin/rooms/${id(roomId)}/end`, { reason }),
    adminQueues: async () => (await call<{ queues: AdminQueue[] }>('GET', '/api/admin/queues')).queues,
    searchPlayers: async (q, limit = 20) =>
      (await call<{ players: AdminPlayer[] }>('GET', `/api/admin/players?${new URLSearchParams({ q, limit: String(limit) })}`)).players,
    kickPlayer: (playerId, reason) => call('POST', `/api/admin/players/${id(playerId)}/kick`, { reason }),
    banPlayer: (playerId, reason, until) => call('POST', `/api/admin/players/${id(playerId)}/ban`, { reason, until }),
    unbanPlayer: (playerId) => call('DELETE', `/api/admin/players/${id(playerId)}/ban`),
    auditLog: ({ limit, before }) => {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set('limit', String(limit));
      if (before !== undefined) query.set('before', String(before));
      return call('GET', `/api/admin/audit?${query}`);
    },
    adminStats: () => call('GET', '/api/admin/stats'),
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined; // not JSON (a proxy's error page): the status speaks for it
  }
}
