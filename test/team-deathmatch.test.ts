import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GameModes } from '../src/games/index.js';
import { replayOf } from '../src/rooms/index.js';
import { shootUntilMatchEnds } from './support/play.js';
import { matchTwo, sdkClient } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    TICK_RATE: '20',
    SNAPSHOT_RATE: '20',
    SCORE_LIMIT: '1',
    MATCHMAKING_INTERVAL: '100',
    MIN_PLAYERS_PER_MATCH: '2',
    MAX_PLAYERS_PER_MATCH: '2',
  });
});
afterAll(() => t?.stop());

describe('team deathmatch', () => {
  it('creates team rooms over HTTP and seats joining players in teams', async () => {
    const host = sdkClient(t.url).client;
    await host.guest('Host');
    const room = await host.createRoom({ room_name: 'Teams', game_mode: 'team_deathmatch', max_players: 4 });
    expect(room.game_mode).toBe('team_deathmatch');
    await host.connect();
    const joined = await host.joinRoom(room.room_id);
    expect(joined.players[0]!.team).toBe(1);
    const other = sdkClient(t.url).client;
    await other.guest('Other');
    await other.connect();
    expect((await other.joinRoom(room.room_id)).players.map((p) => p.team).sort()).toEqual([1, 2]);
    const bad = await t.call('POST', '/api/rooms/create', { token: host.accessToken!, body: { room_name: 'x', game_mode: 'capture_the_flag' } });
    expect(bad.status).toBe(400);
  });

  it('is matchmade, played on opposing teams, rated with openskill per mode, and replays from its record', async () => {
    const { ann, bob, annPlayer, bobPlayer, annMatch: match } = await matchTwo(t.url, { game_mode: 'team_deathmatch', region: 'eu-west' });
    expect(match.game_mode).toBe('team_deathmatch');
    await ann.joinRoom(match.room_id);
    const joined = await bob.joinRoom(match.room_id);
    expect(new Set(joined.players.map((p) => p.team))).toEqual(new Set([1, 2]));

    const result = await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
    expect(result.reason).toBe('score_limit');
    expect(result.results.map((r) => [r.player_id, r.rank])).toEqual([[annPlayer.id, 1], [bobPlayer.id, 2]]);
    expect(result.teams?.map((team) => team.score).sort()).toEqual([0, 1]);

    // Rated in the mode's own standing; the account's Elo rating is not touched.
    await expect.poll(async () => (await t.call('GET', '/api/leaderboard?game_mode=team_deathmatch')).body.players.length).toBe(2);
    const board = (await t.call('GET', '/api/leaderboard?game_mode=team_deathmatch')).body.players;
    expect(board.map((p: { player_id: string }) => p.player_id)).toEqual([annPlayer.id, bobPlayer.id]);
    expect(board[0].skill_rating).toBeGreaterThan(board[1].skill_rating);
    const { rows: ratings } = await t.server.db.query<{ rating_kind: string; games_played: number; mu: number | null }>(
      `SELECT rating_kind, games_played, mu FROM player_mode_ratings WHERE game_mode = 'team_deathmatch' AND player_id = ANY($1::uuid[])`,
      [[annPlayer.id, bobPlayer.id]],
    );
    expect(ratings).toHaveLength(2);
    for (const row of ratings) expect(row).toMatchObject({ rating_kind: 'openskill', games_played: 1, mu: expect.any(Number) });
    expect((await t.call('GET', '/auth/me', { token: ann.accessToken! })).body.skill_rating).toBe(1200);

    // The stored seed, settings and record replay the match to the stored results.
    const { rows: games } = await t.server.db.query<{ id: string }>(`SELECT id FROM games WHERE room_id = $1 AND status = 'finished'`, [match.room_id]);
    const replay = await replayOf(t.server.db, games[0]!.id);
    expect(replay).toBeDefined();
    const outcome = new GameModes().replay(replay!.gameMode, replay!.settings, replay!.seed, replay!.record);
    const line = (p: { score: number; deaths: number; rank: number; team?: number }) => [p.score, p.deaths, p.rank, p.team];
    expect(outcome.players.map(line)).toEqual(replay!.results.players.map(line));
    expect(outcome.teams).toEqual(replay!.results.teams);
  });
});
