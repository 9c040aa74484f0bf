/** Refresh this long before the access token expires, so it cannot lapse between check and use. */
const EXPIRY_MARGIN_MS = 30_000;

/** Holds the token pair and knows when the access token is about to expire. */
export class TokenStore {
  access: string | undefined;
  refresh: string | undefined;
  /** Epoch ms; undefined when unknown (then the token is used until the server rejects it). */
  private accessExpiresAt: number | undefined;

  setPair(access: string, refresh: string, expiresInSeconds: number, now: number): void {
    this.access = access;
    this.refresh = refresh;
    this.accessExpiresAt = jwtExpiry(access) ?? now + expiresInSeconds * 1000;
  }

  /** An access token without a refresh token, e.g. `auth_ok.token`; the refresh token stays as it was. */
  setAccess(access: string): void {
    this.access = access;
    this.accessExpiresAt = jwtExpiry(access);
  }

  clear(): void {
    this.access = this.refresh = this.accessExpiresAt = undefined;
  }

  /** True when a refresh is both possible and worth it: no access token or one that (nearly) expired. */
  needsRefresh(now: number): boolean {
    if (!this.refresh) return false;
    if (!this.access) return true;
    return this.accessExpiresAt !== undefined && this.accessExpiresAt - now < EXPIRY_MARGIN_MS;
  }
}

/** The `exp` claim of a JWT in epoch ms, without verifying it (the server does that). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims === 'object' && claims !== null && 'exp' in claims && typeof claims.exp === 'number') {
      return claims.exp * 1000;
    }
  } catch {
    // Not a JWT we can read: treat the expiry as unknown.
  }
  return undefined;
}
