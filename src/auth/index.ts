export { AuthService, type ClientInfo, type AuthLimits } from './service.js';
// The API's player shapes under the names server code imports them by.
export type { AuthResult, Player as PublicPlayer } from '../api/index.js';
export { TokenIssuer, type AccessClaims, type TokenSettings } from './tokens.js';
export { RateLimiter, type Limit } from './rate-limit.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { players, type PlayerRow } from './repository.js';
export { Roles } from './roles.js';
export { bans, banMessage } from './bans.js';
