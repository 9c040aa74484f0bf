import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { unauthorized } from '../errors/index.js';

const ISSUER = 'gamev1';
const ACCESS_AUDIENCE = 'gamev1:access';
const REFRESH_AUDIENCE = 'gamev1:refresh';

/** Who an access token speaks for. */
export interface AccessClaims {
  playerId: string;
  sessionId: string;
  displayName: string;
  isGuest: boolean;
}

export interface RefreshClaims {
  playerId: string;
  sessionId: string;
  tokenId: string;
}

export interface TokenSettings {
  secret: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
}

/**
 * Signs and verifies HS256 JWTs. Access and refresh tokens carry different audiences, so neither is ever
 * accepted in place of the other.
 */
export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(private readonly settings: TokenSettings) {
    this.key = new TextEncoder().encode(settings.secret);
  }

  get accessTokenTtl(): number {
    return this.settings.accessTokenTtl;
  }

  get refreshTokenTtl(): number {
    return this.settings.refreshTokenTtl;
  }

  issueAccess(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId, name: claims.displayName, guest: claims.isGuest })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(ACCESS_AUDIENCE)
      .setSubject(claims.playerId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.settings.accessTokenTtl}s`)
      .sign(this.key);
  }

  issueRefresh(claims: RefreshClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(REFRESH_AUDIENCE)
      .setSubject(claims.playerId)
      .setJti(claims.tokenId)
      .setIssuedAt()
      .setExpirationTime(`${this.settings.refreshTokenTtl}s`)
      .sign(this.key);
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.verify(token, ACCESS_AUDIENCE, 'access');
    if (typeof payload.sid !== 'string' || typeof payload.name !== 'string' || typeof payload.guest !== 'boolean') {
      throw unauthorized('invalid_token', 'access token is missing claims');
    }
    return { playerId: payload.sub!, sessionId: payload.sid, displayName: payload.name, isGuest: payload.guest };
  }

  async verifyRefresh(token: string): Promise<RefreshClaims> {
    const payload = await this.verify(token, REFRESH_AUDIENCE, 'refresh');
    if (typeof payload.sid !== 'string' || typeof payload.jti !== 'string') {
      throw unauthorized('invalid_token', 'refresh token is missing claims');
    }
    return { playerId: payload.sub!, sessionId: payload.sid, tokenId: payload.jti };
  }

  private async verify(token: string, audience: string, kind: string) {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string') throw unauthorized('invalid_token', `${kind} token has no subject`);
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('token_expired', `${kind} token has expired`);
      if (error instanceof joseErrors.JOSEError) throw unauthorized('invalid_token', `${kind} token is not valid`);
      throw error;
    }
  }
}
