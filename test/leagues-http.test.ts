/**
 * The league end to end: two SDK players play real matches, the outbox writes the games, ratings and league
 * standings in one transaction, the players hear of their placement over /ws and read it over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shootUntilMatchEnds } from './support/play.js';
import { matchTwo, sdkClient, waitFor } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    SCORE_LIMIT: '1',
    MATCH_RESTART_DELAY: '0',
    MATCHMAKING_INTERVAL: '100',
    MIN_PLAYERS_PER_MATCH: '2',
    MAX_PLAYERS_PER_MATCH: '2',
    LEAGUE_PLACEMENT_GAMES: '1',
    LEAGUE_DIVISION_SIZE: '10',
  });
});
afterAll(() => t?.stop());

describe('/api/leagues', () => {
  it('describes the league before anyone has played', async () => {
    const info = await t.call('GET', '/api/leagues');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ game_mode: 'deathmatch', placement_games: 1, division_size: 10, points_per_division: 100, season_length_seconds: 2_419_200 });
    expect(info.body.tiers[0]).toEqual({ name: 'Bronze', divisions: 4 });
  });

  it('places players from their real games, tells them over /ws, and moves league points with the next game', async () => {
    const { ann, bob, annPlayer, bobPlayer, annMatch } = await matchTwo(t.url, { game_mode: 'deathmatch', region: 'eu-west' });
    await ann.joinRoom(annMatch.room_id);
    await bob.joinRoom(annMatch.room_id);
    const placed = Promise.all([waitFor(ann, 'league_update', () => true, 30_000), waitFor(bob, 'league_update', () => true, 30_000)]);
    await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
    const [annPlaced, bobPlaced] = await placed;
    // Placed by rating after the one placement game: 1232 is Silver IV with 64 LP, 1168 Bronze I with 36.
    expect(annPlaced).toMatchObject({ type: 'league_update', game_mode: 'deathmatch', season_id: 1, kind: 'placed', reason: 'points', to: { tier: 'Silver', division: 4 }, points: 64 });
    expect(bobPlaced).toMatchObject({ kind: 'placed', to: { tier: 'Bronze', division: 1 }, points: 36 });

    const standing = await ann.myLeagueStanding();
    expect(standing).toMatchObject({ season_id: 1, rung: { tier: 'Silver', division: 4 }, points: 64, placements_left: 0, games_played: 1, rank: 1, division_size: 1 });
    expect(standing).not.toHaveProperty('hidden_rating');
    const division = await sdkClient(t.url).client.leagueDivision(1, standing.division_id);
    expect(division).toMatchObject({ season_id: 1, division_id: standing.division_id, rung: { tier: 'Silver', division: 4 } });
    expect(division.members.map((member) => member.display_name)).toEqual(['Ann']);
    expect((await t.call('GET', `/api/leagues/players/${bobPlayer.id}`)).body).toMatchObject({ rung: { tier: 'Bronze', division: 1 }, points: 36 });

    // The room plays on: Ann wins again, above her rating's rung, so she gains less than the base 20 LP.
    await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
    await expect.poll(async () => (await ann.myLeagueStanding()).games_played, { timeout: 10_000 }).toBe(2);
    const after = await ann.myLeagueStanding();
    expect(after.points).toBeGreaterThan(64);
    expect((await bob.myLeagueStanding()).points).toBeLessThan(36);
    expect((await t.call('GET', '/api/leagues')).body.seasons).toMatchObject([{ id: 1, status: 'active', members: 2 }]);
    expect(await ann.myLeagueHistory()).toEqual({ seasons: [] });
    expect((await t.call('GET', '/metrics')).body).toMatch(/gamev1_league_updates_total\{kind="placed",reason="points",node="test-node"\} 2/);
    for (const client of [ann, bob]) client.close();
  });

  it('answers bad or unknown requests clearly', async () => {
    const { client } = sdkClient(t.url);
    await client.guest('Newcomer');
    await expect(client.myLeagueStanding()).rejects.toMatchObject({ code: 'not_a_member' });
    const status = async (path: string) => {
      const res = await t.call('GET', path);
      return [res.status, res.body.code];
    };
    expect(await status('/api/leagues/me')).toEqual([401, expect.any(String)]);
    expect(await status('/api/leagues/seasons/99/divisions/nowhere')).toEqual([404, 'season_not_found']);
    expect(await status('/api/leagues/seasons/1/divisions/nowhere')).toEqual([404, 'division_not_found']);
    expect(await status('/api/leagues/seasons/x/divisions/nowhere')).toEqual([400, 'validation_error']);
    expect(await status('/api/leagues/players/not-a-uuid')).toEqual([400, 'validation_error']);
    expect(await status('/api/leagues/players/00000000-0000-4000-8000-000000000000/history')).toEqual([200, undefined]);
  });
});
