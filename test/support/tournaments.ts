import { randomBytes } from 'node:crypto';
import type { TournamentEvent } from '../../src/api/index.js';
import { Tournament, type TournamentEventData } from '../../src/tournaments/index.js';
import { sdkClient } from './sdk.js';

/** A registered account whose email the test server lists in ADMIN_EMAILS (organizer@example.com by default). */
export async function organizer(url: string, email = 'organizer@example.com') {
  const { client } = sdkClient(url);
  await client.register(email, 'correct horse battery', 'Organizer');
  return client;
}

/** A fresh registered account (role player until granted one). */
export async function account(url: string, name: string) {
  const { client } = sdkClient(url);
  const player = await client.register(`${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`, 'correct horse battery', name);
  return { client, player };
}

/** The tournament rebuilt from its event log as the API serves it. */
export function replayed(id: string, events: readonly TournamentEvent[]): Tournament {
  return Tournament.replay(
    id,
    events.map((e) => ({ seq: e.seq, at: Date.parse(e.at), actor: e.actor, event: { type: e.type, ...e.data } as TournamentEventData })),
  );
}
