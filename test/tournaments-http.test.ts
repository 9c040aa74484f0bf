import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TournamentDetails, TournamentMatch } from '../src/api/index.js';
import { sdkClient, waitFor } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';

/** The tournament HTTP API: roles, lifecycle, reports, corrections and the event log, driven over HTTP. */
describe('/api/tournaments', () => {
  let server: TestServer;
  let admin: string;
  let organizer: { id: string; token: string };

  const guest = async (name: string) => {
    const { body } = await server.call('POST', '/auth/guest', { body: { display_name: name } });
    return { id: body.player.id as string, token: body.access_token as string };
  };
  const account = async (email: string) => {
    const { body } = await server.call('POST', '/auth/register', { body: { email, password: 'correct horse battery', display_name: email.split('@')[0] } });
    return { id: body.player.id as string, token: body.access_token as string };
  };
  const create = async (token: string, settings: Record<string, unknown>) =>
    server.call('POST', '/api/tournaments', { token, body: { name: 'Cup', stages: [{ format: 'single_elimination' }], ...settings } });
  const details = async (id: string) => (await server.call('GET', `/api/tournaments/${id}`)).body as TournamentDetails;
  const match = async (id: string, matchId: string) => (await details(id)).matches.find((m) => m.id === matchId)!;
  const report = (id: string, matchId: string, body: Record<string, unknown>, token = admin) =>
    server.call('POST', `/api/tournaments/${id}/matches/${matchId}/report`, { token, body });
  /** Reports every match currently playable with its first player as the winner. */
  const reportRound = async (id: string) => {
    const playable = (await details(id)).matches.filter((m) => m.state === 'ready' || m.state === 'in_progress');
    for (const m of playable) expect((await report(id, m.id, { winner_id: m.players[0] })).status).toBe(200);
    return playable;
  };

  /** A started tournament of `players` guests (in seed = registration order). */
  async function running(players: number, settings: Record<string, unknown> = {}) {
    const { body: created } = await create(admin, { seeding: 'registration', ...settings });
    const entrants = [];
    for (let i = 0; i < players; i++) {
      const player = await guest(`P${i + 1}`);
      expect((await server.call('POST', `/api/tournaments/${created.id}/register`, { token: player.token })).status).toBe(200);
      entrants.push(player);
    }
    const { status, body } = await server.call('POST', `/api/tournaments/${created.id}/start`, { token: admin });
    expect(status).toBe(200);
    return { id: created.id as string, entrants, started: body as TournamentDetails };
  }

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_EMAILS: 'root@example.com', AUTH_RATE_LIMIT_PER_IP: '1000' });
    admin = (await account('root@example.com')).token;
    organizer = await account('org@example.com');
    expect((await server.call('PUT', `/api/players/${organizer.id}/role`, { token: admin, body: { role: 'organizer' } })).body.role).toBe('organizer');
  });
  afterAll(() => server.stop());

  describe('roles', () => {
    it('lets only organizers and admins create tournaments', async () => {
      const player = await account('plain@example.com');
      expect((await create(player.token, {})).status).toBe(403);
      expect((await create(player.token, {})).body.code).toBe('forbidden');
      expect((await create(organizer.token, {})).status).toBe(201);
    });

    it('lets only admins grant roles, and never to guests', async () => {
      const player = await account('hopeful@example.com');
      const grant = (token: string, id: string, role: string) => server.call('PUT', `/api/players/${id}/role`, { token, body: { role } });
      expect((await grant(organizer.token, player.id, 'admin')).status).toBe(403);
      expect((await grant(admin, (await guest('G')).id, 'organizer')).body.code).toBe('guest_account');
      expect((await grant(admin, '00000000-0000-4000-8000-000000000000', 'organizer')).status).toBe(404);
      expect((await server.call('GET', `/api/players/${player.id}/role`, { token: player.token })).body.role).toBe('player');
    });

    it("keeps an organizer out of another organizer's tournament, but not an admin", async () => {
      const other = await account('other-org@example.com');
      await server.call('PUT', `/api/players/${other.id}/role`, { token: admin, body: { role: 'organizer' } });
      const { body: mine } = await create(organizer.token, {});
      expect((await server.call('POST', `/api/tournaments/${mine.id}/start`, { token: other.token })).status).toBe(403);
      const p1 = await guest('A');
      const p2 = await guest('B');
      for (const p of [p1, p2]) await server.call('POST', `/api/tournaments/${mine.id}/register`, { token: p.token });
      expect((await server.call('POST', `/api/tournaments/${mine.id}/start`, { token: admin })).status).toBe(200);
    });
  });

  describe('creating', () => {
    it.each([
      [{ best_of: 2 }, 'invalid_tournament'],
      [{ stages: [{ format: 'round_robin', advance: 2 }] }, 'invalid_tournament'],
      [{ stages: [{ format: 'swiss', rounds: 3 }, { format: 'round_robin' }] }, 'invalid_tournament'],
      [{ min_entrants: 9, max_entrants: 8 }, 'invalid_tournament'],
      [{ game_mode: 'chess' }, 'invalid_tournament'],
      [{ registration_opens_at: '2030-01-02T00:00:00Z', registration_closes_at: '2030-01-01T00:00:00Z' }, 'invalid_tournament'],
      [{ stages: [{ format: 'knockout' }] }, 'validation_error'],
      [{ max_entrants: 1 }, 'validation_error'],
    ])('refuses %j with %s', async (settings, code) => {
      const { status, body } = await create(admin, settings);
      expect(status).toBe(400);
      expect(body.code).toBe(code);
    });

    it('fills in defaults, lists and filters', async () => {
      const { body } = await create(admin, { name: 'Defaults', game_mode: 'team_deathmatch' });
      expect(body.settings).toMatchObject({ best_of: 1, min_entrants: 2, max_entrants: 64, no_show_seconds: 300, seeding: 'rating' });
      const { body: list } = await server.call('GET', '/api/tournaments?game_mode=team_deathmatch&status=registration');
      expect(list.tournaments.map((t: { id: string }) => t.id)).toContain(body.id);
      expect((await server.call('GET', '/api/tournaments?status=finished')).body.tournaments.map((t: { id: string }) => t.id)).not.toContain(body.id);
    });

    it('answers 404 for unknown or malformed ids', async () => {
      expect((await server.call('GET', '/api/tournaments/not-a-uuid')).status).toBe(404);
      expect((await server.call('GET', '/api/tournaments/00000000-0000-4000-8000-000000000000')).body.code).toBe('tournament_not_found');
    });
  });

  describe('registration and check-in', () => {
    it('puts registrations past max_entrants on the waitlist and moves it up', async () => {
      const { body } = await create(admin, { max_entrants: 2 });
      const [a, b, c] = [await guest('A'), await guest('B'), await guest('C')];
      for (const p of [a, b, c]) await server.call('POST', `/api/tournaments/${body.id}/register`, { token: p.token });
      expect((await server.call('POST', `/api/tournaments/${body.id}/register`, { token: a.token })).body.code).toBe('already_registered');
      let view = await details(body.id);
      expect(view.entrants.map((e) => e.player_id)).toEqual([a.id, b.id]);
      expect(view.waitlist.map((e) => e.player_id)).toEqual([c.id]);
      await server.call('DELETE', `/api/tournaments/${body.id}/register`, { token: a.token });
      view = await details(body.id);
      expect(view.entrants.map((e) => e.player_id)).toEqual([b.id, c.id]);
      expect(view.waitlist).toEqual([]);
    });

    it('drops entrants who did not check in and promotes checked-in waitlisted players at start', async () => {
      const { body } = await create(admin, { max_entrants: 2, check_in_opens_at: new Date(Date.now() - 60_000).toISOString(), seeding: 'registration' });
      const [a, b, c] = [await guest('A'), await guest('B'), await guest('C')];
      for (const p of [a, b, c]) await server.call('POST', `/api/tournaments/${body.id}/register`, { token: p.token });
      for (const p of [a, c]) expect((await server.call('POST', `/api/tournaments/${body.id}/check-in`, { token: p.token })).status).toBe(200);
      const { body: started } = await server.call('POST', `/api/tournaments/${body.id}/start`, { token: admin });
      expect(started.entrants.map((e: { player_id: string }) => e.player_id)).toEqual([a.id, c.id]);
      expect((await server.call('POST', `/api/tournaments/${body.id}/check-in`, { token: b.token })).body.code).toBe('check_in_closed');
    });

    it('refuses registration outside its window and a start without enough entrants', async () => {
      const { body } = await create(admin, { registration_opens_at: '2099-01-01T00:00:00Z' });
      expect((await server.call('POST', `/api/tournaments/${body.id}/register`, { token: (await guest('Early')).token })).body.code).toBe('registration_closed');
      expect((await server.call('POST', `/api/tournaments/${body.id}/start`, { token: admin })).body.code).toBe('not_enough_entrants');
    });

    it('seeds manually when asked, and checks the seeds', async () => {
      const { body } = await create(admin, { seeding: 'manual' });
      const [a, b] = [await guest('A'), await guest('B')];
      for (const p of [a, b]) await server.call('POST', `/api/tournaments/${body.id}/register`, { token: p.token });
      const start = (seeds?: string[]) => server.call('POST', `/api/tournaments/${body.id}/start`, { token: admin, body: seeds ? { seeds } : {} });
      expect((await start()).body.code).toBe('invalid_seeds');
      expect((await start([a.id, a.id])).body.code).toBe('invalid_seeds');
      expect((await start([b.id, a.id])).body.entrants.map((e: { player_id: string }) => e.player_id)).toEqual([b.id, a.id]);
    });
  });

  describe('results', () => {
    it('opens a room for every ready match, reserved for its players', async () => {
      const { id, entrants } = await running(4);
      const first = await match(id, 'WB-R1-M1');
      expect(first.state).toBe('in_progress');
      const room = (await server.call('GET', `/api/rooms/${first.room_id}`, { token: entrants[0]!.token })).body;
      expect(room.max_players).toBe(2);
      expect((await server.call('POST', `/api/rooms/${first.room_id}/join`, { token: (await guest('Stranger')).token })).body.code).toBe('room_full');
    });

    it('takes a report once: the same again is harmless, a different one needs a reopen', async () => {
      const { id, entrants } = await running(2);
      const [a, b] = entrants;
      expect((await report(id, 'WB-R1-M1', { winner_id: b!.id, score: [2, 0] })).body.code).toBe('invalid_report');
      expect((await report(id, 'WB-R1-M1', { score: [1, 1] })).body.code).toBe('invalid_report');
      expect((await report(id, 'WB-R1-M1', { winner_id: 'someone-else' })).body.code).toBe('invalid_report');
      expect((await report(id, 'WB-R1-M1', { winner_id: a!.id }, a!.token)).status).toBe(403);
      const both = await Promise.all([report(id, 'WB-R1-M1', { winner_id: a!.id }), report(id, 'WB-R1-M1', { winner_id: a!.id })]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      expect((await report(id, 'WB-R1-M1', { winner_id: b!.id })).body.code).toBe('match_decided');
      const { body } = await server.call('GET', `/api/tournaments/${id}/events`);
      expect(body.events.filter((e: { type: string }) => e.type === 'reported')).toHaveLength(1);
      const final = await details(id);
      expect(final.status).toBe('finished');
      expect(final.placements).toEqual([
        { player_id: a!.id, place: 1 },
        { player_id: b!.id, place: 2 },
      ]);
    });

    it('reopens a match: previews the dependent matches, then resets them and re-routes the bracket', async () => {
      const { id, entrants } = await running(8);
      await reportRound(id);
      await reportRound(id);
      const finalRoom = (await match(id, 'WB-R3-M1')).room_id;
      expect(finalRoom).not.toBeNull();
      const reopen = (body: Record<string, unknown>) => server.call('POST', `/api/tournaments/${id}/matches/WB-R1-M1/reopen`, { token: admin, body });
      const preview = (await reopen({})).body;
      expect(preview).toEqual({ match_id: 'WB-R1-M1', applied: false, reset: ['WB-R2-M1', 'WB-R3-M1'] });
      expect((await match(id, 'WB-R2-M1')).state).toBe('done');

      expect((await reopen({ confirm: true })).body).toEqual({ ...preview, applied: true });
      const [reopened, dependent, final] = await Promise.all(['WB-R1-M1', 'WB-R2-M1', 'WB-R3-M1'].map((m) => match(id, m)));
      expect(reopened).toMatchObject({ state: 'ready', winner_id: null, room_id: null });
      expect(dependent!.state).toBe('waiting');
      expect(final!.state).toBe('waiting');
      // The final's room was closed with it.
      expect((await server.call('GET', `/api/rooms/${finalRoom}`, { token: admin })).status).toBe(404);

      // The corrected result sends the other player on.
      const seedEight = reopened!.players[1]!;
      await report(id, 'WB-R1-M1', { winner_id: seedEight });
      expect((await match(id, 'WB-R2-M1')).players).toContain(seedEight);
      expect((await match(id, 'WB-R2-M1')).state).toBe('in_progress');
      expect(entrants).toHaveLength(8);
    });

    it('forfeits every remaining match of a withdrawn player', async () => {
      const { id, entrants } = await running(4, { stages: [{ format: 'round_robin' }] });
      const quitter = entrants[3]!;
      expect((await server.call('POST', `/api/tournaments/${id}/withdraw`, { token: quitter.token })).status).toBe(200);
      const theirs = (await details(id)).matches.filter((m: TournamentMatch) => m.players.includes(quitter.id));
      expect(theirs).toHaveLength(3);
      for (const m of theirs) expect(m).toMatchObject({ state: 'done', forfeited: [quitter.id] });
      const stranger = await guest('Stranger');
      expect((await server.call('POST', `/api/tournaments/${id}/withdraw`, { token: stranger.token })).body.code).toBe('not_registered');
      expect((await server.call('POST', `/api/tournaments/${id}/withdraw`, { token: entrants[0]!.token, body: { player_id: entrants[1]!.id } })).status).toBe(403);
    });

    it('forfeits a player who does not join the room in time', async () => {
      const { body: created } = await create(admin, { no_show_seconds: 1, seeding: 'registration' });
      const present = sdkClient(server.url).client;
      const presentPlayer = await present.guest('Present');
      const absent = await guest('Absent');
      await server.call('POST', `/api/tournaments/${created.id}/register`, { token: present.accessToken });
      await server.call('POST', `/api/tournaments/${created.id}/register`, { token: absent.token });
      await present.connect();
      const ready = waitFor(present, 'tournament_match_ready');
      await server.call('POST', `/api/tournaments/${created.id}/start`, { token: admin });
      const notice = await ready;
      expect(notice).toMatchObject({ tournament_id: created.id, match_id: 'WB-R1-M1', opponent_id: absent.id, best_of: 1 });
      await present.joinRoom(notice.room_id);
      await expect.poll(async () => (await details(created.id)).status, { timeout: 10_000 }).toBe('finished');
      expect(await match(created.id, 'WB-R1-M1')).toMatchObject({ winner_id: presentPlayer.id, forfeited: [absent.id] });
      expect((await server.call('GET', '/metrics')).body).toMatch(/gamev1_tournament_events_total\{type="attendance",node="test-node"\} 1/);
      present.close();
    });
  });
});
