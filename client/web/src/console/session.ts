import type { GameV1Client } from '../../../src/index.js';
import { createClient } from '../shared/api.js';

const STORAGE_KEY = 'gamev1.console.refresh-token';

/**
 * The operator's client and its refresh token, kept in sessionStorage (this tab only, gone with it) so a reload
 * stays logged in. The SDK rotates the pair before the access token expires; every new pair it announces is
 * written back here, so the stored refresh token is always the one not used yet.
 */
export class ConsoleSession {
  readonly client: GameV1Client = createClient();

  constructor() {
    this.client.on('tokens', (pair) => sessionStorage.setItem(STORAGE_KEY, pair.refresh_token));
  }

  /** True when this tab holds a session from an earlier page load. */
  get canResume(): boolean {
    return sessionStorage.getItem(STORAGE_KEY) !== null;
  }

  login(email: string, password: string): Promise<unknown> {
    return this.client.login(email, password);
  }

  /** Picks the stored session up again; a refused one is forgotten. */
  async resume(): Promise<void> {
    const refreshToken = sessionStorage.getItem(STORAGE_KEY);
    if (!refreshToken) throw new Error('no stored session');
    try {
      await this.client.resume(refreshToken);
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  /** Ends the session on the server (the refresh token is revoked) and forgets it here either way. */
  async logout(): Promise<void> {
    this.forget();
    await this.client.logout();
  }

  forget(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  }
}
