import type { AuthResponse, FetchLike, GameV1Client } from '../../../src/index.js';
import { createClient } from '../shared/api.js';

const STORAGE_KEY = 'gamev1.console.tokens';
/** The responses that carry a fresh token pair. */
const TOKEN_PATHS: ReadonlySet<string> = new Set(['/auth/login', '/auth/refresh']);

interface StoredTokens {
  access_token: string;
  refresh_token: string;
}

function storedTokens(): StoredTokens | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (!text) return undefined;
  try {
    const tokens = JSON.parse(text) as Partial<StoredTokens>;
    if (typeof tokens.access_token === 'string' && typeof tokens.refresh_token === 'string') return tokens as StoredTokens;
  } catch {
    // Unreadable: treated as no session.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return undefined;
}

/**
 * The operator's client and its token pair, kept in sessionStorage (this tab only, gone with it) so a reload
 * stays logged in. The SDK logs in and rotates the pair before it expires; every pair it receives is written
 * back here, so the stored refresh token is always the one not used yet.
 */
export class ConsoleSession {
  readonly client: GameV1Client;
  /** Set while resuming: the next /auth/login the SDK sends becomes a refresh with the stored token. */
  private resumeWith: string | undefined;

  constructor() {
    this.client = createClient({ fetch: this.fetch });
  }

  /** True when this tab holds tokens from an earlier page load. */
  get canResume(): boolean {
    return storedTokens() !== undefined;
  }

  login(email: string, password: string): Promise<unknown> {
    return this.client.login(email, password);
  }

  /**
   * Picks the stored session up again. The SDK has no call to adopt a stored pair, so its login is sent as a
   * refresh with the stored refresh token: the server rotates the pair and the SDK takes it as a login's.
   */
  async resume(): Promise<void> {
    const tokens = storedTokens();
    if (!tokens) throw new Error('no stored session');
    this.resumeWith = tokens.refresh_token;
    try {
      await this.client.login('', '');
    } catch (error) {
      this.forget();
      throw error;
    } finally {
      this.resumeWith = undefined;
    }
  }

  /** Ends the session on the server (the refresh token is revoked) and forgets it here either way. */
  async logout(): Promise<void> {
    const tokens = storedTokens();
    this.forget();
    if (!tokens) return;
    const response = await fetch('/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${tokens.refresh_token}` } });
    if (!response.ok && response.status !== 401) throw new Error(`the server did not confirm the logout (HTTP ${response.status})`);
  }

  forget(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  /** The SDK's fetch: stores each token pair it receives, and turns the resuming login into a refresh. */
  private readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(String(input), location.origin);
    const resume = this.resumeWith;
    if (resume !== undefined && url.pathname === '/auth/login') {
      url.pathname = '/auth/refresh';
      init = { method: 'POST', headers: { authorization: `Bearer ${resume}` } };
    }
    const response = await fetch(url, init);
    if (response.ok && TOKEN_PATHS.has(url.pathname)) {
      const auth = (await response.clone().json()) as AuthResponse;
      const tokens: StoredTokens = { access_token: auth.access_token, refresh_token: auth.refresh_token };
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    }
    return response;
  };
}
