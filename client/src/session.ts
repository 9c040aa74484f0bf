import type { AuthResult as AuthResponse, MatchmakingStatus, Player, RoomInfo, RoomList } from '../../src/api/index.js';
import { GameV1Error } from './errors.js';
import { TokenStore } from './tokens.js';

/** The HTTP responses, exactly as the server declares them in src/api. */
export type { AuthResult as AuthResponse, MatchmakingStatus, Player } from '../../src/api/index.js';

export interface CreateRoomRequest {
  room_name: string;
  /** A mode the server serves (`deathmatch`, `team_deathmatch`); the server's default when absent. */
  game_mode?: string;
  max_players?: number;
  region?: string;
}

export interface QueueRequest {
  game_mode: string;
  region: string;
  /** Seconds; the server caps it at MAX_WAIT_TIME. */
  max_wait_time?: number;
}

export interface ListRoomsFilter {
  game_mode?: string;
  /** Only rooms with a free seat. */
  joinable?: boolean;
}

export type FetchLike = typeof fetch;

/** A token pair the server just issued (login, register, guest, refresh): what an app stores to resume later. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  /** Seconds the access token is valid. */
  expires_in: number;
}

interface RequestOptions {
  body?: unknown;
  /** Which held token goes into `Authorization: Bearer`. */
  auth?: 'access' | 'refresh';
  /** A token to send instead of a held one (logout sends the refresh token it has just forgotten). */
  token?: string;
}

/** HTTP side of the SDK: auth routes, room routes, and the token pair they share. */
export class AuthSession {
  readonly tokens = new TokenStore();
  player: Player | undefined;
  private refreshing: Promise<Player> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: FetchLike,
    /** Told every new pair, so the app can store the refresh token that has not been used yet. */
    private readonly onTokens: (pair: TokenPair) => void = () => undefined,
  ) {}

  register(email: string, password: string, displayName?: string): Promise<Player> {
    return this.authenticate('/auth/register', { email, password, ...(displayName !== undefined && { display_name: displayName }) });
  }

  login(email: string, password: string): Promise<Player> {
    return this.authenticate('/auth/login', { email, password });
  }

  guest(displayName?: string): Promise<Player> {
    return this.authenticate('/auth/guest', displayName !== undefined ? { display_name: displayName } : {});
  }

  /**
   * Picks up a session stored earlier (e.g. after a page reload) from its refresh token: rotates it into a new
   * pair, so the stored token is spent and the new pair (the `tokens` event) is the one to keep.
   */
  resume(refreshToken: string): Promise<Player> {
    this.tokens.clear();
    this.player = undefined;
    this.tokens.refresh = refreshToken;
    return this.refresh();
  }

  /**
   * Ends the session on the server (its refresh token is revoked) and forgets the tokens here. A token the
   * server no longer knows (401) counts as logged out; other failures are thrown, with the tokens forgotten.
   */
  async logout(): Promise<void> {
    const refresh = this.tokens.refresh;
    this.tokens.clear();
    this.player = undefined;
    if (!refresh) return;
    try {
      await this.request('POST', '/auth/logout', { token: refresh });
    } catch (error) {
      if (!(error instanceof GameV1Error && error.status === 401)) throw error;
    }
  }

  /**
   * Rotates the token pair. Concurrent callers share one request: a refresh token works once, and presenting
   * it twice would make the server revoke the whole session.
   */
  refresh(): Promise<Player> {
    if (!this.tokens.refresh) {
      return Promise.reject(new GameV1Error('no_refresh_token', 'no refresh token: call login(), register() or guest() first'));
    }
    this.refreshing ??= this.storeAuth(this.request<AuthResponse>('POST', '/auth/refresh', { auth: 'refresh' })).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * An access token fit for use: refreshed first when it is (nearly) expired and a refresh token is held,
   * or with `force`. Without any token, creates a guest when `guestIfMissing`.
   */
  async accessToken(options: { guestIfMissing?: boolean; force?: boolean } = {}): Promise<string> {
    if ((options.force && this.tokens.refresh) || this.tokens.needsRefresh(Date.now())) await this.refresh();
    if (!this.tokens.access && options.guestIfMissing) await this.guest();
    if (!this.tokens.access) {
      throw new GameV1Error('not_authenticated', 'not logged in: call login(), register() or guest() first');
    }
    return this.tokens.access;
  }

  /** An authenticated request (the token refreshed first when due); `optional`: anonymous when logged out. */
  async call<T>(method: string, path: string, body?: unknown, options: { optional?: boolean } = {}): Promise<T> {
    if (!options.optional || this.tokens.access) await this.accessToken();
    return this.request<T>(method, path, { auth: 'access', ...(body !== undefined && { body }) });
  }

  async createRoom(room: CreateRoomRequest): Promise<RoomInfo> {
    await this.accessToken();
    return this.request<RoomInfo>('POST', '/api/rooms/create', {
      auth: 'access',
      body: room,
    });
  }

  async listRooms(filter: ListRoomsFilter = {}): Promise<RoomInfo[]> {
    await this.accessToken();
    const query = new URLSearchParams();
    if (filter.game_mode !== undefined) query.set('game_mode', filter.game_mode);
    if (filter.joinable !== undefined) query.set('joinable', String(filter.joinable));
    const search = query.toString();
    const path = search ? `/api/rooms/list?${search}` : '/api/rooms/list';
    const { rooms } = await this.request<RoomList>('GET', path, { auth: 'access' });
    return rooms;
  }

  async queue(request: QueueRequest): Promise<MatchmakingStatus> {
    await this.accessToken();
    return this.request<MatchmakingStatus>('POST', '/api/matchmaking/queue', { auth: 'access', body: request });
  }

  async cancelQueue(): Promise<MatchmakingStatus> {
    await this.accessToken();
    return this.request<MatchmakingStatus>('DELETE', '/api/matchmaking/queue', { auth: 'access' });
  }

  async matchmakingStatus(): Promise<MatchmakingStatus> {
    await this.accessToken();
    return this.request<MatchmakingStatus>('GET', '/api/matchmaking/status', { auth: 'access' });
  }

  private authenticate(path: string, body: object): Promise<Player> {
    return this.storeAuth(this.request<AuthResponse>('POST', path, { body }));
  }

  private async storeAuth(response: Promise<AuthResponse>): Promise<Player> {
    const auth = await response;
    this.tokens.setPair(auth.access_token, auth.refresh_token, auth.expires_in, Date.now());
    this.player = auth.player;
    this.onTokens({ access_token: auth.access_token, refresh_token: auth.refresh_token, expires_in: auth.expires_in });
    return auth.player;
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {};
    // Only send a content type with a body: Fastify rejects an empty body declared as JSON.
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const token = options.token ?? (options.auth && this.tokens[options.auth]);
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new GameV1Error('network_error', `${method} ${path} failed: ${(error as Error).message}`);
    }
    const text = await response.text();
    const body: unknown = text ? parseJson(text) : undefined;
    if (!response.ok) throw httpError(response.status, body, text);
    return body as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function httpError(status: number, body: unknown, text: string): GameV1Error {
  if (typeof body === 'object' && body !== null) {
    const { code, message } = body as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      return new GameV1Error(code, typeof message === 'string' ? message : code, status);
    }
  }
  return new GameV1Error(`http_${status}`, text.slice(0, 200) || `HTTP ${status}`, status);
}
