import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessClaims, AuthService, Roles } from '../auth/index.js';
import { AppError, unauthorized } from '../errors/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAccessToken` on routes that need a logged-in player. */
    player: AccessClaims | null;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or a 401 saying what is wrong with it. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw unauthorized('missing_token', 'Authorization: Bearer <token> header is required');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('invalid_token', 'Authorization header must be "Bearer <token>"');
  return match[1]!;
}

/** A preHandler admitting only requests with a valid access token; the caller lands in `request.player`. */
export function requireAccessToken(auth: AuthService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.player = await auth.authenticate(bearerToken(request));
  };
}

/** Refuses (403) a logged-in caller who is not an admin; `action` names what was refused. */
export async function requireAdmin(roles: Roles, playerId: string, action: string): Promise<void> {
  if ((await roles.of(playerId)) !== 'admin') throw new AppError('forbidden', 'forbidden', `${action} needs the admin role`);
}

export const bearerSecurity = [{ bearerAuth: [] }];
