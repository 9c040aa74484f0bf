import type { Role } from '../api/index.js';
import { AppError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';

/**
 * Player roles. The stored role is what admins grant; an account whose email is in ADMIN_EMAILS is an admin
 * whatever is stored, which is how the first admin comes to be. Read on every privileged request, so a grant
 * or a revocation holds at once on every node (no role rides in a token).
 */
export class Roles {
  private readonly adminEmails: ReadonlySet<string>;

  constructor(
    private readonly db: Queryable,
    adminEmails: readonly string[],
  ) {
    this.adminEmails = new Set(adminEmails);
  }

  async of(playerId: string): Promise<Role> {
    const { rows } = await this.db.query<{ email: string | null; role: Role }>('SELECT email, role FROM players WHERE id = $1', [playerId]);
    const row = rows[0];
    if (!row) throw new AppError('not_found', 'player_not_found', `player ${playerId} does not exist`);
    return this.resolve(row.email, row.role);
  }

  /** The role of an account read elsewhere: the stored one, or admin for an email in ADMIN_EMAILS. */
  resolve(email: string | null, stored: Role): Role {
    return email !== null && this.adminEmails.has(email) ? 'admin' : stored;
  }

  /** An admin sets another player's role. Guests cannot be given one: they have no account to keep it. */
  async grant(adminId: string, playerId: string, role: Role): Promise<Role> {
    if ((await this.of(adminId)) !== 'admin') throw new AppError('forbidden', 'forbidden', 'granting roles needs the admin role');
    const { rows } = await this.db.query<{ is_guest: boolean }>('SELECT is_guest FROM players WHERE id = $1', [playerId]);
    if (!rows[0]) throw new AppError('not_found', 'player_not_found', `player ${playerId} does not exist`);
    if (rows[0].is_guest && role !== 'player') {
      throw new AppError('invalid', 'guest_account', 'guests cannot be organizers or admins; register an account first');
    }
    await this.db.query('UPDATE players SET role = $2 WHERE id = $1', [playerId, role]);
    return this.of(playerId);
  }
}
