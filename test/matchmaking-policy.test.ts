import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_SETTINGS,
  formMatches,
  skillWindow,
  ticketRating,
  type FormedMatch,
  type PolicyResult,
  type PolicySettings,
  type Ticket,
} from '../src/matchmaking/policy/index.js';
import { SeededRandom } from '../src/sim/index.js';

const NOW = 1_700_000_000_000;
const SECOND = 1000;

function settings(overrides: Partial<PolicySettings> = {}): PolicySettings {
  return { ...DEFAULT_POLICY_SETTINGS, ...overrides };
}

interface TicketSpec {
  ratings?: number[];
  rating?: number;
  waited?: number;
  gameMode?: string;
  region?: string;
  priority?: boolean;
  maxWaitSeconds?: number;
  playerIds?: string[];
}

/** A ticket that has waited `waited` seconds at NOW; player ids default to `${id}:${index}`. */
function ticket(id: string, spec: TicketSpec = {}): Ticket {
  const ratings = spec.ratings ?? [spec.rating ?? 1000];
  return {
    id,
    gameMode: spec.gameMode ?? 'deathmatch',
    region: spec.region ?? 'eu',
    players: ratings.map((rating, index) => ({ playerId: spec.playerIds?.[index] ?? `${id}:${index}`, rating })),
    enqueuedAt: NOW - (spec.waited ?? 0) * SECOND,
    maxWaitSeconds: spec.maxWaitSeconds ?? 300,
    priority: spec.priority ?? false,
  };
}

/** Each match as its sorted ticket ids, the matches sorted too: a canonical form for comparisons. */
function matchedIds(result: PolicyResult): string[][] {
  return result.matches.map((match) => match.tickets.map((t) => t.id).sort()).sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

function playerCount(match: FormedMatch): number {
  return match.tickets.reduce((sum, t) => sum + t.players.length, 0);
}


function randomTickets(count: number, seed: number): Ticket[] {
  const source = new SeededRandom(seed);
  const random = (): number => source.next();
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const modes = ['deathmatch', 'duel'];
  const regions = ['eu', 'us', 'asia'];
  const tickets: Ticket[] = [];
  for (let i = 0; i < count; i++) {
    const base = 1200 + 200 * normal();
    const size = random() < 0.8 ? 1 : 2 + Math.floor(random() * 3);
    tickets.push(
      ticket(`t${i}`, {
        ratings: Array.from({ length: size }, () => Math.round(base + 60 * normal())),
        waited: random() * 130,
        gameMode: modes[Math.floor(random() * modes.length)]!,
        region: regions[Math.floor(random() * regions.length)]!,
        priority: random() < 0.05,
        maxWaitSeconds: 120,
      }),
    );
  }
  return tickets;
}

describe('skill window', () => {
  const s = settings({ initialSkillWindow: 50, windowGrowthPerSecond: 10, maxSkillDiff: 200 });

  it('starts at the initial width and widens with wait time', () => {
    expect(skillWindow(ticket('a', { waited: 0 }), NOW, s)).toBe(50);
    expect(skillWindow(ticket('a', { waited: 5 }), NOW, s)).toBe(100);
    expect(skillWindow(ticket('a', { waited: 2.5 }), NOW, s)).toBe(75);
  });

  it('is capped at maxSkillDiff', () => {
    expect(skillWindow(ticket('a', { waited: 15 }), NOW, s)).toBe(200);
    expect(skillWindow(ticket('a', { waited: 1000 }), NOW, s)).toBe(200);
    expect(skillWindow(ticket('a'), NOW, settings({ initialSkillWindow: 500, maxSkillDiff: 200 }))).toBe(200);
  });

  it('never shrinks below the initial width when the ticket is stamped in the future', () => {
    expect(skillWindow(ticket('a', { waited: -30 }), NOW, s)).toBe(50);
  });

  it('matches two tickets only once both windows cover their rating gap', () => {
    const tickets = [ticket('a', { rating: 1000 }), ticket('b', { rating: 1120 })];
    expect(formMatches(tickets, NOW, s).matches).toHaveLength(0);
    expect(formMatches(tickets, NOW + 6 * SECOND, s).matches).toHaveLength(0); // windows 110 < 120
    expect(matchedIds(formMatches(tickets, NOW + 7 * SECOND, s))).toEqual([['a', 'b']]);
  });

  it('requires mutual acceptance: a wide window alone is not enough', () => {
    const old = ticket('old', { rating: 1000, waited: 100 }); // window 200
    const fresh = ticket('fresh', { rating: 1100 }); // window 50
    expect(formMatches([old, fresh], NOW, s).matches).toHaveLength(0);
    expect(formMatches([old, fresh], NOW + 5 * SECOND, s).matches).toHaveLength(1); // fresh window now 100
  });
});

describe('ticketRating', () => {
  it('is the mean of the party', () => {
    expect(ticketRating(ticket('p', { ratings: [1000, 1200, 1400] }))).toBe(1200);
    expect(ticketRating(ticket('s', { rating: 1337 }))).toBe(1337);
  });
});

describe('formMatches', () => {
  it('never mixes game modes or regions', () => {
    const tickets = [
      ticket('eu-dm', { region: 'eu', gameMode: 'deathmatch' }),
      ticket('us-dm', { region: 'us', gameMode: 'deathmatch' }),
      ticket('eu-duel', { region: 'eu', gameMode: 'duel' }),
      ticket('us-duel', { region: 'us', gameMode: 'duel' }),
    ];
    expect(formMatches(tickets, NOW, settings()).matches).toHaveLength(0);

    const result = formMatches([...tickets, ticket('eu-dm-2'), ticket('us-duel-2', { region: 'us', gameMode: 'duel' })], NOW, settings());
    expect(matchedIds(result)).toEqual([
      ['eu-dm', 'eu-dm-2'],
      ['us-duel', 'us-duel-2'],
    ]);
    for (const match of result.matches) {
      for (const t of match.tickets) {
        expect([t.gameMode, t.region]).toEqual([match.gameMode, match.region]);
      }
    }
  });

  describe('parties', () => {
    const s = settings({ minPlayers: 2, maxPlayers: 4 });

    it('a party of 3 joins exactly one single and is never split', () => {
      const tickets = [ticket('party', { ratings: [1000, 1000, 1000], waited: 10 }), ticket('s1', { waited: 5 }), ticket('s2')];
      const result = formMatches(tickets, NOW, s);
      expect(result.matches).toHaveLength(1);
      const [match] = result.matches;
      expect(match!.tickets.map((t) => t.id)).toEqual(['party', 's1']);
      expect(playerCount(match!)).toBe(4);
    });

    it('skips a party that does not fit and takes a single instead', () => {
      const tickets = [
        ticket('party3', { ratings: [1000, 1000, 1000], waited: 10 }),
        ticket('party2', { ratings: [1000, 1000], waited: 9 }),
        ticket('single', { rating: 1030 }),
      ];
      expect(matchedIds(formMatches(tickets, NOW, s))).toEqual([['party3', 'single']]);
      expect(formMatches(tickets.slice(0, 2), NOW, s).matches).toHaveLength(0);
    });

    it('a lone party below maxPlayers does not match itself; a full one does', () => {
      expect(formMatches([ticket('p3', { ratings: [1000, 1000, 1000] })], NOW, s).matches).toHaveLength(0);
      expect(matchedIds(formMatches([ticket('p4', { ratings: [1000, 1000, 1000, 1000] })], NOW, s))).toEqual([['p4']]);
    });

    it('reports a party larger than maxPlayers as invalid at once', () => {
      const big = ticket('big', { ratings: [1000, 1000, 1000, 1000, 1000] });
      const result = formMatches([big, ticket('a'), ticket('b')], NOW, s);
      expect(result.invalid).toEqual([{ ticket: big, reason: 'party_too_large' }]);
      expect(result.timedOut).toEqual([]);
      expect(matchedIds(result)).toEqual([['a', 'b']]);
    });

    it('reports empty parties and non-finite ratings or times as invalid', () => {
      const empty: Ticket = { ...ticket('empty'), players: [] };
      const nan = ticket('nan', { rating: Number.NaN });
      const when: Ticket = { ...ticket('when'), enqueuedAt: Number.NaN };
      const result = formMatches([empty, nan, when], NOW, s);
      expect(result.invalid.map((i) => [i.ticket.id, i.reason])).toEqual([
        ['empty', 'empty_party'],
        ['nan', 'invalid_rating'],
        ['when', 'invalid_time'],
      ]);
      expect(result.matches).toEqual([]);
    });

    it('reports the spread and average over individual players', () => {
      const result = formMatches([ticket('party', { ratings: [950, 1050] }), ticket('single', { rating: 1000 })], NOW, s);
      expect(result.matches[0]).toMatchObject({ skillSpread: 100, averageRating: 1000 });
    });
  });

  describe('priority queue', () => {
    const tickets = [ticket('old', { waited: 30 }), ticket('older', { waited: 40 }), ticket('vip', { priority: true })];

    it('serves priority tickets first when enabled', () => {
      const result = formMatches(tickets, NOW, settings({ maxPlayers: 2, enablePriorityQueue: true }));
      expect(matchedIds(result)).toEqual([['older', 'vip']]);
      expect(result.matches[0]!.tickets[0]!.id).toBe('vip');
    });

    it('ignores the flag when disabled', () => {
      const result = formMatches(tickets, NOW, settings({ maxPlayers: 2, enablePriorityQueue: false }));
      expect(matchedIds(result)).toEqual([['old', 'older']]);
    });
  });

  describe('timeouts', () => {
    it('drops tickets past their own maxWaitSeconds and does not match them', () => {
      const result = formMatches(
        [ticket('late', { waited: 61, maxWaitSeconds: 60 }), ticket('edge', { waited: 60, maxWaitSeconds: 60 }), ticket('fresh')],
        NOW,
        settings(),
      );
      expect(result.timedOut.map((t) => t.id)).toEqual(['late']);
      expect(matchedIds(result)).toEqual([['edge', 'fresh']]);
    });

    it('times out a ticket that never found a partner', () => {
      const lonely = ticket('lonely', { maxWaitSeconds: 300 });
      expect(formMatches([lonely], NOW + 300 * SECOND, settings()).timedOut).toEqual([]);
      expect(formMatches([lonely], NOW + 301 * SECOND, settings()).timedOut).toEqual([lonely]);
    });
  });

  it('matches older tickets first when there are too few seats', () => {
    const tickets = [ticket('new', { waited: 1 }), ticket('oldest', { waited: 20 }), ticket('mid', { waited: 10 })];
    expect(matchedIds(formMatches(tickets, NOW, settings({ maxPlayers: 2 })))).toEqual([['mid', 'oldest']]);

    const five = [5, 4, 3, 2, 1].map((waited) => ticket(`w${waited}`, { waited }));
    const result = formMatches(five, NOW, settings({ minPlayers: 4, maxPlayers: 4 }));
    expect(matchedIds(result)).toEqual([['w2', 'w3', 'w4', 'w5']]);
  });

  it('prefers the tighter skill spread', () => {
    const wide = settings({ maxPlayers: 2, maxSkillDiff: 1000, initialSkillWindow: 1000 });
    const tickets = [
      ticket('1010', { rating: 1010, waited: 40 }),
      ticket('1400', { rating: 1400, waited: 30 }),
      ticket('1000', { rating: 1000, waited: 20 }),
      ticket('1405', { rating: 1405, waited: 10 }),
    ];
    const result = formMatches(tickets, NOW, wide);
    expect(matchedIds(result)).toEqual([
      ['1000', '1010'],
      ['1400', '1405'],
    ]);
    expect(result.matches.map((m) => m.skillSpread).sort((a, b) => a - b)).toEqual([5, 10]);
  });

  it('grows a group by whichever neighbour widens the spread least', () => {
    const tickets = [
      ticket('anchor', { rating: 1000, waited: 50 }),
      ticket('up', { rating: 1010 }),
      ticket('down', { rating: 989 }),
      ticket('close', { rating: 1012 }),
    ];
    const result = formMatches(tickets, NOW, settings({ maxPlayers: 3 }));
    expect(result.matches[0]!.tickets.map((t) => t.id)).toEqual(['anchor', 'up', 'close']);
  });

  describe('match size', () => {
    it('fills to maxPlayers, then forms a smaller match from the rest if it reaches minPlayers', () => {
      const tickets = Array.from({ length: 10 }, (_, i) => ticket(`s${i}`, { waited: 10 - i }));
      const result = formMatches(tickets, NOW, settings({ minPlayers: 2, maxPlayers: 4 }));
      expect(result.matches.map(playerCount)).toEqual([4, 4, 2]);
    });

    it('leaves players waiting when the rest cannot reach minPlayers', () => {
      const tickets = Array.from({ length: 10 }, (_, i) => ticket(`s${i}`, { waited: 10 - i }));
      const result = formMatches(tickets, NOW, settings({ minPlayers: 3, maxPlayers: 4 }));
      expect(result.matches.map(playerCount)).toEqual([4, 4]);
      expect(result.matches.flatMap((m) => m.tickets.map((t) => t.id))).not.toContain('s9');
    });

    it('forms a match below maxPlayers when nobody else compatible is waiting', () => {
      const tickets = [ticket('a', { rating: 1000 }), ticket('b', { rating: 1020 }), ticket('c', { rating: 1040 }), ticket('far', { rating: 1500 })];
      expect(matchedIds(formMatches(tickets, NOW, settings({ maxPlayers: 8 })))).toEqual([['a', 'b', 'c']]);
    });
  });

  it('rejects impossible settings', () => {
    expect(() => formMatches([], NOW, settings({ minPlayers: 0 }))).toThrow(RangeError);
    expect(() => formMatches([], NOW, settings({ minPlayers: 4, maxPlayers: 3 }))).toThrow(RangeError);
    expect(() => formMatches([], NOW, settings({ maxSkillDiff: -1 }))).toThrow(RangeError);
    expect(() => formMatches([], Number.NaN, settings())).toThrow(RangeError);
  });

  it('is deterministic and independent of input order', () => {
    const tickets = randomTickets(2000, 7);
    const s = settings();
    const first = formMatches(tickets, NOW, s);
    expect(formMatches(tickets, NOW, s)).toEqual(first);
    const shuffled = [...tickets].reverse();
    expect(matchedIds(formMatches(shuffled, NOW, s))).toEqual(matchedIds(first));
  });

  describe('duplicates', () => {
    it('matches a ticket passed twice only once', () => {
      const a = ticket('a');
      const result = formMatches([a, a, ticket('b'), ticket('c')], NOW, settings({ maxPlayers: 2 }));
      expect(result.matches.flatMap((m) => m.tickets.map((t) => t.id)).filter((id) => id === 'a')).toHaveLength(1);
    });

    it('never puts a player in two matches or twice in one match', () => {
      const tickets = [
        ticket('x1', { playerIds: ['p'], waited: 10 }),
        ticket('x2', { playerIds: ['p'], waited: 9 }),
        ticket('x3', { playerIds: ['p'], region: 'us' }),
        ticket('y', { waited: 5 }),
        ticket('z', { region: 'us' }),
      ];
      const result = formMatches(tickets, NOW, settings({ maxPlayers: 8 }));
      const players = result.matches.flatMap((m) => m.tickets.flatMap((t) => t.players.map((p) => p.playerId)));
      expect(players.filter((id) => id === 'p')).toHaveLength(1);
      expect(new Set(players).size).toBe(players.length);
      expect(matchedIds(result)).toEqual([['x1', 'y']]);
    });
  });

  it('forms only valid matches among 5,000 random tickets', () => {
    const tickets = randomTickets(5000, 42);
    const s = settings();
    const now = NOW;
    const result = formMatches(tickets, now, s);

    const seen = new Set<string>();
    for (const match of result.matches) {
      const players = playerCount(match);
      const lonePartyFillsMatch = match.tickets.length === 1 && players === s.maxPlayers;
      expect(match.tickets.length >= 2 || lonePartyFillsMatch).toBe(true);
      expect(players).toBeGreaterThanOrEqual(s.minPlayers);
      expect(players).toBeLessThanOrEqual(s.maxPlayers);

      const ratings = match.tickets.map(ticketRating);
      const spread = Math.max(...ratings) - Math.min(...ratings);
      for (const t of match.tickets) {
        expect([t.gameMode, t.region]).toEqual([match.gameMode, match.region]);
        expect(spread).toBeLessThanOrEqual(skillWindow(t, now, s));
        expect(now - t.enqueuedAt).toBeLessThanOrEqual(t.maxWaitSeconds * SECOND);
        expect(seen.has(t.id)).toBe(false);
        seen.add(t.id);
      }
    }
    for (const t of result.timedOut) {
      expect(seen.has(t.id)).toBe(false);
      expect(now - t.enqueuedAt).toBeGreaterThan(t.maxWaitSeconds * SECOND);
    }
    expect(result.matches.length).toBeGreaterThan(100);
    expect(seen.size + result.timedOut.length).toBeLessThanOrEqual(tickets.length);

    // With minPlayers 2 no two leftover tickets of one bucket may still fit together: one of them would have
    // anchored a match containing both or others.
    const timedOut = new Set(result.timedOut.map((t) => t.id));
    const leftovers = tickets.filter((t) => !seen.has(t.id) && !timedOut.has(t.id));
    for (const a of leftovers) {
      for (const b of leftovers) {
        if (a.id >= b.id || a.gameMode !== b.gameMode || a.region !== b.region) continue;
        const gap = Math.abs(ticketRating(a) - ticketRating(b));
        const fits = a.players.length + b.players.length <= s.maxPlayers;
        const compatible = gap <= Math.min(skillWindow(a, now, s), skillWindow(b, now, s));
        expect(fits && compatible, `${a.id} and ${b.id} were left waiting`).toBe(false);
      }
    }
  });
});
