/**
 * The persistent league service on this run's backends (PostgreSQL or PGlite), with a fake clock. Each test runs
 * its own league (a game mode of its own) in one shared database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { players } from '../src/auth/index.js';
import {
  DEFAULT_LADDER,
  DEFAULT_SEASON_CONFIG,
  LeagueError,
  LeagueServiceError,
  Leagues,
  ladderPosition,
  ladderRungs,
  rolloverSeason,
  rungIndex,
  type LeagueGamePlayer,
  type LeagueNotice,
  type LeagueSettings,
  type MatchOutcome,
  type SeasonConfig,
  type SeasonMember,
  type TierZones,
} from '../src/leagues/index.js';
import { migrate, openDatabase, type Database } from '../src/store/index.js';
import { seededRandom } from './support/random.js';
import { dropIsolation, testConfig } from './support/server.js';

const config = testConfig();
let db: Database;
const START = new Date('2027-01-04T00:00:00Z');
const WEEK = 7 * 86_400;
let now = START;
const clock = () => now;
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const weeksIn = (weeks: number) => new Date(START.getTime() + weeks * WEEK * 1000);

/** Placement in one game, so a player's first game seats them straight on the rung their rating maps to. */
const QUICK: SeasonConfig = { ...DEFAULT_SEASON_CONFIG, cohortSize: 4, ladder: { ...DEFAULT_LADDER, placementGames: 1 } };
/** Rating 1500 places at Gold 2 with 0 LP; 1549 at Gold 2 with 98 LP (see DEFAULT_LADDER's rating map). */
const GOLD_2 = 1500;
const ALMOST_GOLD_1 = 1549;

function league(gameMode: string, season: SeasonConfig = QUICK): Leagues {
  const settings: LeagueSettings = { gameMode, seasonLengthSeconds: WEEK, season };
  return new Leagues(db, settings, clock);
}

async function newPlayers(count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await players.insert(db, { email: null, displayName: `${prefix}${i}`, passwordHash: null, isGuest: true }))!.id);
  return ids;
}

function play(leagues: Leagues, gameMode: string, entries: readonly LeagueGamePlayer[]): Promise<LeagueNotice[]> {
  return db.transaction((tx) => leagues.recordGameIn(tx, { gameId: randomUUID(), gameMode, players: [...entries] }));
}

const solo = (leagues: Leagues, gameMode: string, playerId: string, outcome: MatchOutcome, rating: number) =>
  play(leagues, gameMode, [{ playerId, outcome, rating }]);

/** A season's members as stored, hidden ratings included: what the pure rules see. */
async function storedMembers(gameMode: string, seasonId: number): Promise<SeasonMember[]> {
  const { rows } = await db.query<{ player_id: string; tier: string; division: number | null; points: number; placements_played: number; hidden_rating: number; games_played: number; cohort_id: string }>(
    'SELECT * FROM league_members WHERE game_mode = $1 AND season_id = $2 ORDER BY player_id',
    [gameMode, seasonId],
  );
  return rows.map((row) => {
    const rung = { tier: row.tier, division: row.division ?? undefined };
    return {
      playerId: row.player_id,
      standing: { ...rung, points: row.points, placementsPlayed: row.placements_played, hiddenRating: row.hidden_rating },
      gamesPlayed: row.games_played,
      cohort: { id: row.cohort_id, ...rung },
    };
  });
}

/** Every member sits in one cohort of its own rung, named for the season and rung, none over the size. */
async function expectSeated(gameMode: string, seasonId: number, cohortSize: number): Promise<Map<string, SeasonMember[]>> {
  const members = await storedMembers(gameMode, seasonId);
  const cohorts = new Map<string, SeasonMember[]>();
  for (const member of members) {
    const { tier, division } = member.standing;
    expect(member.cohort.id.startsWith(`s${seasonId}/${tier}${division === undefined ? '' : ` ${division}`}/`)).toBe(true);
    cohorts.set(member.cohort.id, [...(cohorts.get(member.cohort.id) ?? []), member]);
  }
  for (const cohort of cohorts.values()) expect(cohort.length).toBeLessThanOrEqual(cohortSize);
  return cohorts;
}

/** Everything a league stored, to compare before and after. */
async function snapshot(gameMode: string): Promise<unknown[]> {
  const tables = [
    'SELECT * FROM league_seasons WHERE game_mode = $1 ORDER BY id',
    'SELECT * FROM league_members WHERE game_mode = $1 ORDER BY season_id, player_id',
    'SELECT * FROM league_results WHERE game_mode = $1 ORDER BY season_id, player_id',
  ];
  return Promise.all(tables.map(async (sql) => (await db.query(sql, [gameMode])).rows));
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const swap = Math.floor(random() * (index + 1));
    [copy[index], copy[swap]] = [copy[swap]!, copy[index]!];
  }
  return copy;
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeagueServiceError);
  return (error as LeagueServiceError).code;
}

beforeAll(async () => {
  db = await openDatabase(config.database);
  await migrate(db);
});
afterAll(async () => {
  await db?.close();
  await dropIsolation(config);
});

describe('Leagues: games', () => {
  it('enrols a player in placements on their first game, places them after the last, and ignores other modes', async () => {
    now = START;
    const leagues = league('enrol', DEFAULT_SEASON_CONFIG);
    const [ann] = await newPlayers(1, 'Enrol');
    expect(await solo(leagues, 'another_mode', ann!, 'win', GOLD_2)).toEqual([]);
    expect(await leagues.seasons()).toEqual([]);

    expect(await solo(leagues, 'enrol', ann!, 'win', GOLD_2)).toEqual([]);
    expect(await leagues.seasons()).toEqual([{ id: 1, startsAt: START, endsAt: weeksIn(1), status: 'active', members: 1 }]);
    const inPlacements = await leagues.standingOf(ann!);
    expect(inPlacements).toEqual({
      playerId: ann,
      displayName: 'Enrol0',
      seasonId: 1,
      seasonEndsAt: weeksIn(1),
      rung: undefined,
      points: 0,
      placementsLeft: 4,
      gamesPlayed: 1,
      cohortId: 's1/Bronze 4/1',
      cohortSize: 1,
      rank: undefined,
      zone: null,
    });
    expect(JSON.stringify(inPlacements)).not.toMatch(/hidden|rating/i);

    for (let game = 0; game < 3; game++) expect(await solo(leagues, 'enrol', ann!, 'loss', GOLD_2)).toEqual([]);
    const placed = await solo(leagues, 'enrol', ann!, 'loss', GOLD_2);
    expect(placed).toEqual([{ playerId: ann, seasonId: 1, kind: 'placed', reason: 'points', to: { tier: 'Gold', division: 2 }, points: 0 }]);
    expect(await leagues.standingOf(ann!)).toMatchObject({ rung: { tier: 'Gold', division: 2 }, placementsLeft: 0, gamesPlayed: 5, cohortId: 's1/Gold 2/1', rank: 1, cohortSize: 1 });
    // Placement moved Ann off the lowest rung, and out of its cohort.
    expect(await errorCode(leagues.division(1, 's1/Bronze 4/1'))).toBe('division_not_found');
  });

  it('moves LP per game, promotes and relegates on points, and reseats the player in the new rung', async () => {
    now = START;
    const leagues = league('points');
    const [bea, cal] = await newPlayers(2, 'Points');
    await solo(leagues, 'points', cal!, 'win', GOLD_2 + 75); // Gold 1 already: Bea's future cohort has a seat taken
    expect(await solo(leagues, 'points', bea!, 'win', ALMOST_GOLD_1)).toMatchObject([{ kind: 'placed', to: { tier: 'Gold', division: 2 }, points: 98 }]);

    expect(await solo(leagues, 'points', bea!, 'loss', ALMOST_GOLD_1)).toEqual([]);
    const afterLoss = await leagues.standingOf(bea!);
    expect(afterLoss!.points).toBeLessThan(98);

    let notices: LeagueNotice[] = [];
    for (let game = 0; game < 5 && notices.length === 0; game++) notices = await solo(leagues, 'points', bea!, 'win', ALMOST_GOLD_1);
    const [promoted] = notices;
    expect(promoted).toMatchObject({ kind: 'promoted', reason: 'points', from: { tier: 'Gold', division: 2 }, to: { tier: 'Gold', division: 1 } });
    const inGold1 = await leagues.standingOf(bea!);
    expect(inGold1).toMatchObject({ rung: { tier: 'Gold', division: 1 }, points: promoted!.points, cohortId: 's1/Gold 1/1', cohortSize: 2 });
    expect((await leagues.division(1, 's1/Gold 1/1')).members.map((member) => member.playerId).sort()).toEqual([bea, cal].sort());
    expect(await errorCode(leagues.division(1, 's1/Gold 2/1'))).toBe('division_not_found');

    notices = [];
    for (let game = 0; game < 5 && notices.length === 0; game++) notices = await solo(leagues, 'points', bea!, 'loss', ALMOST_GOLD_1);
    expect(notices).toMatchObject([{ kind: 'relegated', reason: 'points', from: { tier: 'Gold', division: 1 }, to: { tier: 'Gold', division: 2 } }]);
    expect(await leagues.standingOf(bea!)).toMatchObject({ cohortId: 's1/Gold 2/1', cohortSize: 1 });
    await expectSeated('points', 1, QUICK.cohortSize);
  });

  it('never seats more than cohortSize in a cohort, with games for one rung running concurrently', async () => {
    now = START;
    const leagues = league('seating', { ...QUICK, cohortSize: 3 });
    const [first, ...ten] = await newPlayers(11, 'Seat');
    await solo(leagues, 'seating', first!, 'win', 1000); // creates the season, on another rung
    const pairs = [0, 2, 4, 6, 8].map((i) => [ten[i]!, ten[i + 1]!]);
    await Promise.all(pairs.map((pair) => play(leagues, 'seating', pair.map((playerId) => ({ playerId, outcome: 'win', rating: GOLD_2 })))));
    const cohorts = await expectSeated('seating', 1, 3);
    const gold = [...cohorts.entries()].filter(([id]) => id.startsWith('s1/Gold 2/'));
    expect(gold.map(([, members]) => members.length).sort()).toEqual([1, 3, 3, 3]);

    // The fullest cohort with room takes the next newcomer.
    const [late] = await newPlayers(1, 'SeatLate');
    await solo(leagues, 'seating', late!, 'win', GOLD_2);
    const [smallest] = gold.find(([, members]) => members.length === 1)!;
    expect((await leagues.standingOf(late!))!.cohortId).toBe(smallest);
  });

  it('refuses bad games and bad reads without writing anything', async () => {
    now = START;
    const leagues = league('errors');
    const [dan] = await newPlayers(1, 'Err');
    const bad: LeagueGamePlayer[][] = [
      [{ playerId: 'not-a-uuid', outcome: 'win', rating: 1500 }],
      [{ playerId: dan!, outcome: 'win', rating: 1500 }, { playerId: dan!.toUpperCase(), outcome: 'loss', rating: 1500 }],
      [{ playerId: dan!, outcome: 'victory' as MatchOutcome, rating: 1500 }],
      [{ playerId: dan!, outcome: 'win', rating: Number.NaN }],
    ];
    for (const entries of bad) expect(await errorCode(play(leagues, 'errors', entries))).toBe('invalid_request');
    expect(await errorCode(solo(leagues, 'errors', randomUUID(), 'win', 1500))).toBe('player_not_found');
    expect(await leagues.seasons()).toEqual([]);
    expect(await snapshot('errors')).toEqual([[], [], []]);

    await solo(leagues, 'errors', dan!, 'win', 1500);
    expect(await errorCode(leagues.division(99, 's99/Gold 2/1'))).toBe('season_not_found');
    expect(await errorCode(leagues.division(1, 's1/Iron/1'))).toBe('division_not_found');
    expect(await errorCode(leagues.division(0, 's1/Gold 2/1'))).toBe('invalid_request');
    expect(await errorCode(leagues.division(1.5, 's1/Gold 2/1'))).toBe('invalid_request');
    expect(await errorCode(leagues.division(1, ''))).toBe('invalid_request');
    expect(await errorCode(leagues.standingOf('1; DROP TABLE players'))).toBe('invalid_request');
    expect(await errorCode(leagues.standingOf(dan!, 7))).toBe('season_not_found');
    expect(await leagues.standingOf(randomUUID())).toBeUndefined();
    expect(await leagues.historyOf(dan!)).toEqual([]);
    expect(() => new Leagues(db, { gameMode: 'x', seasonLengthSeconds: 0, season: QUICK }, clock)).toThrow(LeagueError);
    expect(() => new Leagues(db, { gameMode: 'x', seasonLengthSeconds: WEEK, season: { ...QUICK, cohortSize: 0 } }, clock)).toThrow(LeagueError);
  });
});

describe('Leagues: rollover', () => {
  /** Gold: one up and one down per cohort, with no soft reset, so moves are easy to read. */
  const ROLL: SeasonConfig = {
    ...QUICK,
    zones: { ...QUICK.zones, Gold: { promote: { count: 1 }, relegate: { count: 1 } } },
    softReset: { ...QUICK.softReset, keep: 1 },
  };

  it('rolls a season over exactly once, from two nodes at once, and not before its end', async () => {
    now = START;
    const [nodeA, nodeB] = [league('rollover', ROLL), league('rollover', ROLL)];
    const ids = await newPlayers(4, 'Roll');
    // 0, 25, 50 and 75 LP in Gold 2 (steps of a quarter division, exact in floating point).
    for (const [i, id] of ids.entries()) await solo(nodeA, 'rollover', id, 'win', GOLD_2 + i * 12.5);
    now = later(WEEK - 1);
    expect(await nodeA.rolloverIfDue()).toEqual([]);

    // Past the end, not yet rolled over: a game still counts in season 1 (20 LP: still last).
    now = later(2);
    await solo(nodeA, 'rollover', ids[0]!, 'win', GOLD_2);
    expect((await nodeA.standingOf(ids[0]!))!.seasonId).toBe(1);

    const [fromA, fromB] = await Promise.all([nodeA.rolloverIfDue(), nodeB.rolloverIfDue()]);
    const notices = [...fromA, ...fromB];
    expect([fromA.length, fromB.length].sort()).toEqual([0, 2]);
    expect(notices).toHaveLength(2);
    expect(notices).toEqual(expect.arrayContaining([
      {
        playerId: ids[3],
        seasonId: 1,
        kind: 'promoted',
        reason: 'season_end',
        from: { tier: 'Gold', division: 2 },
        to: { tier: 'Gold', division: 1 },
        points: 0,
        nextSeason: { seasonId: 2, rung: { tier: 'Gold', division: 1 }, points: 0 },
      },
      {
        playerId: ids[0],
        seasonId: 1,
        kind: 'relegated',
        reason: 'season_end',
        from: { tier: 'Gold', division: 2 },
        to: { tier: 'Gold', division: 3 },
        points: 0,
        nextSeason: { seasonId: 2, rung: { tier: 'Gold', division: 3 }, points: 0 },
      },
    ]));
    expect(await nodeB.seasons()).toEqual([
      { id: 2, startsAt: weeksIn(1), endsAt: weeksIn(2), status: 'active', members: 4 },
      { id: 1, startsAt: START, endsAt: weeksIn(1), status: 'ended', members: 4 },
    ]);

    const before = await snapshot('rollover');
    expect(await Promise.all([nodeA.rolloverIfDue(), nodeB.rolloverIfDue()])).toEqual([[], []]);
    expect(await nodeA.rolloverIfDue()).toEqual([]);
    expect(await snapshot('rollover')).toEqual(before);

    await expectSeated('rollover', 2, ROLL.cohortSize);
    expect(await nodeA.historyOf(ids[3]!)).toEqual([
      {
        seasonId: 1,
        startsAt: START,
        endsAt: weeksIn(1),
        cohortId: 's1/Gold 2/1',
        rung: { tier: 'Gold', division: 2 },
        points: 75,
        gamesPlayed: 1,
        rank: 1,
        cohortSize: 4,
        movement: 'promoted',
      },
    ]);
    expect((await nodeA.historyOf(ids[2]!)).map((result) => [result.rank, result.movement])).toEqual([[2, 'stayed']]);
    expect((await nodeA.division(1, 's1/Gold 2/1')).members.map((member) => [member.playerId, member.rank, member.zone])).toEqual([
      [ids[3], 1, 'promotion'],
      [ids[2], 2, null],
      [ids[1], 3, null],
      [ids[0], 4, 'relegation'],
    ]);
    expect(await nodeA.standingOf(ids[3]!)).toMatchObject({ seasonId: 2, rung: { tier: 'Gold', division: 1 }, points: 0, gamesPlayed: 0 });
    expect(await nodeA.standingOf(ids[3]!, 1)).toMatchObject({ seasonId: 1, rung: { tier: 'Gold', division: 2 }, points: 75, rank: 1, zone: 'promotion' });
  });

  it('loses no game to rollovers running among games whose callers hold their players rows', async () => {
    now = START;
    const nodes = [league('busy'), league('busy')];
    const ids = await newPlayers(16, 'Busy');
    const random = seededRandom(7);
    const played = new Map(ids.map((id) => [id, 0]));
    const game = (index: number) => {
      const chosen = shuffled(ids, random).slice(0, 4);
      for (const id of chosen) played.set(id, played.get(id)! + 1);
      const entries = chosen.map((playerId, place): LeagueGamePlayer => ({ playerId, outcome: place === 0 ? 'win' : 'loss', rating: 1000 + 1000 * random() }));
      return db.transaction(async (tx) => {
        // As the rating transaction does: its players' rows first, then the league.
        await tx.query('SELECT id FROM players WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [chosen]);
        return nodes[index % 2]!.recordGameIn(tx, { gameId: randomUUID(), gameMode: 'busy', players: entries });
      });
    };
    const work: Promise<unknown>[] = [];
    for (let index = 0; index < 120; index++) {
      if (index % 30 === 29) {
        now = later(WEEK);
        work.push(...nodes.map((node) => node.rolloverIfDue()));
      }
      work.push(game(index));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(work);

    expect((await nodes[0]!.seasons()).map((season) => season.status)).toEqual(['active', 'ended', 'ended', 'ended', 'ended']);
    const { rows } = await db.query<{ player_id: string; games: number }>(
      `SELECT player_id, sum(games_played)::int AS games FROM league_members WHERE game_mode = 'busy' GROUP BY player_id`,
    );
    expect(new Map(rows.map((row) => [row.player_id, row.games]))).toEqual(played);
    // Each season starts from the final rows of the one before: no game wrote to a season after its rollover read it.
    for (let seasonId = 1; seasonId < 5; seasonId++) {
      const expected = rolloverSeason({ seasonId, members: await storedMembers('busy', seasonId) }, seasonId + 1, QUICK).members;
      const actual = new Map((await storedMembers('busy', seasonId + 1)).map((member) => [member.playerId, member]));
      for (const member of expected) {
        if (actual.get(member.playerId)!.gamesPlayed === 0) expect(actual.get(member.playerId)).toEqual(member);
      }
    }
  });

  it('runs a seeded season of 300 players through the service, then catches up two missed seasons', async () => {
    now = START;
    const fifth: TierZones = { promote: { fraction: 0.2 }, relegate: { fraction: 0.2 } };
    const season: SeasonConfig = {
      ...DEFAULT_SEASON_CONFIG,
      cohortSize: 10,
      zones: Object.fromEntries(DEFAULT_LADDER.tiers.map((tier) => [tier.name, fifth])),
    };
    const { ladder } = season;
    const leagues = league('simulated', season);
    const random = seededRandom(20270104);
    const ids = await newPlayers(300, 'Sim');
    const ratings = new Map(ids.map((id) => [id, 1000 + 1000 * random()]));
    const newcomers = new Set(ids.slice(0, 12)); // they stop after two placement games

    const outcomes: MatchOutcome[] = ['win', 'draw', 'loss'];
    for (let round = 0; round < 12; round++) {
      const playing = shuffled(ids.filter((id) => !newcomers.has(id) || round < 2), random);
      for (let start = 0; start < playing.length; start += 6) {
        const entries = playing.slice(start, start + 6).map((playerId): LeagueGamePlayer => {
          const outcome = outcomes[Math.floor(random() * 3)]!;
          const rating = ratings.get(playerId)! + (outcome === 'win' ? 8 : outcome === 'loss' ? -8 : 0);
          ratings.set(playerId, rating);
          return { playerId, outcome, rating };
        });
        await play(leagues, 'simulated', entries);
      }
    }
    const cohorts = await expectSeated('simulated', 1, season.cohortSize);
    const ended = await storedMembers('simulated', 1);
    expect(ended).toHaveLength(300);

    now = later(WEEK);
    const notices = await leagues.rolloverIfDue();
    const { rows: results } = await db.query<{ player_id: string; rank: number | null; movement: string }>(
      `SELECT player_id, rank, movement FROM league_results WHERE game_mode = 'simulated' AND season_id = 1`,
    );
    const resultOf = new Map(results.map((row) => [row.player_id, row]));
    expect(results).toHaveLength(300);

    // Per cohort: the zones' sizes move, except off the ends of the ladder; ranks follow the ladder position.
    const topRung = ladderRungs(ladder).length - 1;
    let moved = 0;
    for (const members of cohorts.values()) {
      const placed = members.filter((member) => member.standing.placementsPlayed >= ladder.placementGames);
      const zone = Math.floor(0.2 * placed.length);
      const rung = rungIndex(members[0]!.standing, ladder);
      const count = (movement: string) => members.filter((member) => resultOf.get(member.playerId)!.movement === movement).length;
      expect(count('promoted')).toBe(rung === topRung ? 0 : zone);
      expect(count('relegated')).toBe(rung === 0 ? 0 : zone);
      moved += count('promoted') + count('relegated');
      const byRank = [...placed].sort((left, right) => resultOf.get(left.playerId)!.rank! - resultOf.get(right.playerId)!.rank!);
      expect(byRank.map((member) => resultOf.get(member.playerId)!.rank)).toEqual(placed.map((_, index) => index + 1));
      for (let index = 1; index < byRank.length; index++) {
        expect(ladderPosition(byRank[index - 1]!.standing, ladder)).toBeGreaterThanOrEqual(ladderPosition(byRank[index]!.standing, ladder));
      }
    }
    expect(moved).toBeGreaterThan(30);
    expect(notices).toHaveLength(moved);
    for (const id of newcomers) expect(resultOf.get(id)).toMatchObject({ rank: null, movement: 'stayed' });

    // The soft reset keeps the order the zones left.
    const next = new Map((await storedMembers('simulated', 2)).map((member) => [member.playerId, member]));
    const reached = ended
      .filter((member) => !newcomers.has(member.playerId))
      .map((member) => {
        const { movement } = resultOf.get(member.playerId)!;
        const rung = rungIndex(member.standing, ladder);
        const position =
          movement === 'stayed' ? ladderPosition(member.standing, ladder) : (rung + (movement === 'promoted' ? 1 : -1)) * ladder.pointsPerDivision;
        return { position, after: ladderPosition(next.get(member.playerId)!.standing, ladder) };
      })
      .sort((left, right) => right.position - left.position);
    for (let index = 1; index < reached.length; index++) {
      if (reached[index - 1]!.position > reached[index]!.position) expect(reached[index - 1]!.after).toBeGreaterThanOrEqual(reached[index]!.after);
    }
    await expectSeated('simulated', 2, season.cohortSize);

    // Down for two seasons: season 2 and 3 both end unplayed, each rolled over in turn (decay applies twice).
    const season2 = await storedMembers('simulated', 2);
    now = later(2 * WEEK + 3600);
    await leagues.rolloverIfDue();
    const seasons = await leagues.seasons();
    expect(seasons.map((row) => [row.id, row.status, row.members])).toEqual([[4, 'active', 300], [3, 'ended', 300], [2, 'ended', 300], [1, 'ended', 300]]);
    for (const [index, row] of seasons.entries()) {
      expect(row.startsAt).toEqual(weeksIn(seasons.length - 1 - index));
    }
    const expected = rolloverSeason(rolloverSeason({ seasonId: 2, members: season2 }, 3, season), 4, season);
    expect(await storedMembers('simulated', 4)).toEqual([...expected.members].sort((left, right) => (left.playerId < right.playerId ? -1 : 1)));
    await expectSeated('simulated', 4, season.cohortSize);
    expect((await leagues.historyOf(ids[20]!)).map((result) => result.seasonId)).toEqual([3, 2, 1]);
  });
});
