import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameV1Client } from '../client/src/index.js';
import type { TournamentDetails } from '../src/api/index.js';
import { shootUntilMatchEnds } from './support/play.js';
import { sdkClient, waitFor } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';
import { organizer, replayed } from './support/tournaments.js';

/**
 * An 8-player double-elimination tournament played to the end by SDK bots in real rooms: every match is a room
 * reserved for its two players, announced with `tournament_match_ready`; in each, the player with the smaller id
 * hunts the other down (SCORE_LIMIT=1: one kill wins the game), and the room's result moves the bracket on.
 */
describe('a tournament played in rooms', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_EMAILS: 'organizer@example.com', SCORE_LIMIT: '1', AUTH_RATE_LIMIT_PER_IP: '1000' });
  });
  afterAll(() => server.stop());

  /** A guest that joins every match room it is told of and, when it is the designated winner, wins the game. */
  async function bot(name: string) {
    const { client } = sdkClient(server.url);
    const player = await client.guest(name);
    await client.connect();
    const games: Promise<unknown>[] = [];
    client.on('tournament_match_ready', (notice) => {
      games.push(playMatch(client, player.id, notice.room_id, notice.opponent_id));
    });
    return { client, id: player.id, games };
  }

  async function playMatch(client: GameV1Client, me: string, roomId: string, opponent: string): Promise<void> {
    // The room of the previous series closes (room_left) before the next one opens.
    if (client.roomId) await waitFor(client, 'room_left', () => true, 10_000);
    await client.joinRoom(roomId);
    // The shooter's first snapshot with both players in it is the signal that the opponent is seated.
    if (me < opponent) await shootUntilMatchEnds(client, me, opponent, client);
  }

  it('runs an 8-player double elimination from registration to final standings', async () => {
    const admin = await organizer(server.url);
    const created = await admin.createTournament({
      name: 'Friday Cup',
      game_mode: 'deathmatch',
      stages: [{ format: 'double_elimination', grand_final: 'double' }],
      max_entrants: 8,
    });
    expect(created.status).toBe('registration');

    const bots = await Promise.all(['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal'].map(bot));
    for (const { client } of bots) await client.registerForTournament(created.id);
    const started = await admin.startTournament(created.id);
    expect(started.status).toBe('running');
    expect(started.entrants.map((e) => e.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    let final: TournamentDetails | undefined;
    await expect
      .poll(async () => (final = await admin.getTournament(created.id)).status, { timeout: 150_000, interval: 250 })
      .toBe('finished');

    const details = final!;
    expect(details.placements.map((p) => p.place)).toEqual([1, 2, 3, 4, 5, 5, 7, 7]);
    const played = details.matches.filter((m) => m.winner_id !== null);
    const losses = new Map<string, number>();
    for (const match of played) {
      const loser = match.players.find((p) => p !== match.winner_id)!;
      losses.set(loser, (losses.get(loser) ?? 0) + 1);
      expect(match.forfeited).toEqual([]);
    }
    const champion = details.placements[0]!.player_id;
    expect(losses.get(champion) ?? 0).toBeLessThanOrEqual(1);
    for (const { player_id } of details.placements.slice(1)) expect(losses.get(player_id)).toBe(2);

    // Every series was a room: one room and one game per match, each reported from the room's result.
    const events = await admin.tournamentEvents(created.id, { limit: 1000 });
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('room_opened')).toBe(played.length);
    expect(count('game_reported')).toBe(played.length);
    expect(count('reported')).toBe(0);

    // The log is the tournament: replaying it gives what the API shows.
    expect(replayed(created.id, events).details()).toEqual(details);
    for (const { client, games } of bots) {
      await Promise.all(games);
      client.close();
    }
    admin.close();
  }, 180_000);
});
