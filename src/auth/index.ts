export { AuthService, type AuthResult, type ClientInfo, type PublicPlayer, type AuthLimits } from './service.js';
export { TokenIssuer, type AccessClaims, type TokenSettings } from './tokens.js';
export { RateLimiter, type Limit } from './rate-limit.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { players, type PlayerRow } from './repository.js';
