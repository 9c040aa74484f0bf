/**
 * The tournament aggregate as a pure fold of its event log: every command goes through a `decide…` method, whose
 * events are stamped and applied exactly as TournamentStore.execute does, with explicit clock values. No I/O.
 */
import { describe, expect, it } from 'vitest';
import type { MatchReport, TournamentDetails, TournamentMatch, TournamentSettings } from '../src/api/tournaments.js';
import { SeededRandom } from '../src/sim/index.js';
import { TournamentError, type TournamentErrorCode } from '../src/tournaments/errors.js';
import { SYSTEM_ACTOR, type TournamentEventData, type TournamentEventRecord } from '../src/tournaments/events.js';
import { completeReport, gameWinner } from '../src/tournaments/series.js';
import { bestOfFor, normalizeSettings } from '../src/tournaments/settings.js';
import { pairOf } from '../src/tournaments/stage.js';
import { Tournament } from '../src/tournaments/tournament.js';

// ---- Helpers -----------------------------------------------------------------------------------------------

const MINUTE = 60_000;
/** The fake clock: minute 0 of the tournament day. */
const T0 = Date.parse('2031-03-01T12:00:00.000Z');
const at = (minutes: number): number => T0 + minutes * MINUTE;
const iso = (minutes: number): string => new Date(at(minutes)).toISOString();

const MODES = { default: 'duel', has: (name: string) => name === 'duel' || name === 'ffa' };
type SettingsInput = Omit<TournamentSettings, 'name'> & { name?: string };
const settingsFor = (input: SettingsInput): TournamentSettings => normalizeSettings({ name: 'Spring Cup', ...input }, MODES);

const SE = { format: 'single_elimination' } as const;
const DE = { format: 'double_elimination' } as const;
const RR = { format: 'round_robin' } as const;

const players = (count: number): string[] => Array.from({ length: count }, (_, index) => `p${index + 1}`);

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to be refused');
}

/** A tournament driven like TournamentStore.execute drives it: decide on the state, stamp the events, apply them. */
class Harness {
  readonly tournament = new Tournament('tournament-1');
  readonly log: TournamentEventRecord[] = [];
  /** The clock; every command that does not say its time runs a second after the previous one. */
  now = at(-60);
  private rooms = 0;

  constructor(settings: TournamentSettings, owner = 'organizer') {
    this.execute(owner, () => [{ type: 'created', settings, owner }]);
  }

  get version(): number {
    return this.tournament.version;
  }

  execute(actor: string, decide: (t: Tournament) => TournamentEventData[], now?: number): TournamentEventRecord[] {
    this.now = now ?? this.now + 1000;
    const events = decide(this.tournament);
    const records = events.map((event, index): TournamentEventRecord => ({ seq: this.tournament.version + 1 + index, at: this.now, actor, event }));
    for (const record of records) {
      this.tournament.apply(record);
      this.log.push(record);
    }
    return records;
  }

  /** The command is refused with `code`, and nothing is appended. */
  refuses(code: TournamentErrorCode, command: () => unknown): void {
    const version = this.version;
    const error = caught(command);
    expect(error).toBeInstanceOf(TournamentError);
    expect((error as TournamentError).code).toBe(code);
    expect(this.version).toBe(version);
  }

  // ---- Commands, as the service issues them ----

  register(ids: string[], now?: number): void {
    for (const id of ids) this.execute(id, (t) => t.decideRegister({ id, name: id.toUpperCase() }, now ?? this.now + 1000), now);
  }

  unregister(id: string): TournamentEventRecord[] {
    return this.execute(id, (t) => t.decideUnregister(id));
  }

  checkIn(id: string, now: number): TournamentEventRecord[] {
    return this.execute(id, (t) => t.decideCheckIn(id, now), now);
  }

  processCheckIns(): TournamentEventRecord[] {
    return this.execute('organizer', (t) => t.decideProcessCheckIns());
  }

  start(options: { ratings?: Record<string, number>; seeds?: string[]; pairingSeed?: number } = {}): TournamentEventRecord[] {
    const ratings = new Map(Object.entries(options.ratings ?? {}));
    return this.execute('organizer', (t) => t.decideStart(ratings, options.seeds, options.pairingSeed ?? 7));
  }

  /** An organizer's report, completed as the service completes it. */
  report(matchId: string, body: MatchReport): TournamentEventRecord[] {
    return this.execute('organizer', (t) => {
      const pair = pairOf(t.findMatch(matchId).match);
      if (!pair) throw new TournamentError('match_not_ready', `match ${matchId} does not have both players yet`);
      return t.decideReport(matchId, completeReport(pair, body));
    });
  }

  win(matchId: string, winnerId: string): TournamentEventRecord[] {
    return this.report(matchId, { winner_id: winnerId });
  }

  /** Opens a room for the match (as the service does once a match needs one); returns its id, or undefined if refused. */
  openRoom(matchId: string, replacing?: string): string | undefined {
    const roomId = `room-${++this.rooms}`;
    const deadline = this.now + 1000 + 5 * MINUTE;
    const applied = this.execute(SYSTEM_ACTOR, (t) => t.decideRoomOpened(matchId, { roomId, node: 'node-a', deadline }, replacing));
    return applied.length > 0 ? roomId : undefined;
  }

  /** A game of the match's series ended in `roomId`; `ranks` are the room's results (player id → rank). */
  game(matchId: string, roomId: string, gameId: string, ranks: Record<string, number>): TournamentEventRecord[] {
    return this.execute(SYSTEM_ACTOR, (t) => {
      const { series } = t.findMatch(matchId);
      const results = Object.entries(ranks).map(([player_id, rank]) => ({ player_id, rank }));
      return t.decideGame(matchId, roomId, gameId, series ? gameWinner(series.players, results) : null);
    });
  }

  /** A game won by `winnerId` (null: drawn). */
  gameWon(matchId: string, roomId: string, gameId: string, winnerId: string | null): TournamentEventRecord[] {
    const pair = pairOf(this.tournament.findMatch(matchId).match)!;
    const ranks = winnerId === null ? { [pair[0]]: 1, [pair[1]]: 1 } : Object.fromEntries(pair.map((id) => [id, id === winnerId ? 1 : 2]));
    return this.game(matchId, roomId, gameId, ranks);
  }

  attendance(matchId: string, roomId: string, present: string[]): TournamentEventRecord[] {
    return this.execute(SYSTEM_ACTOR, (t) => t.decideAttendance(matchId, roomId, new Set(present)));
  }

  /** Confirmed reopen; returns what it reset. */
  reopen(matchId: string, replay = false): string[] {
    let reset: string[] = [];
    this.execute('organizer', (t) => {
      const decided = t.decideReopen(matchId, replay);
      reset = decided.reset;
      return decided.events;
    });
    return reset;
  }

  withdraw(id: string): TournamentEventRecord[] {
    return this.execute(id, (t) => t.decideWithdraw(id));
  }

  // ---- Reading ----

  details(): TournamentDetails {
    return this.tournament.details();
  }

  match(id: string): TournamentMatch {
    const found = this.details().matches.find((match) => match.id === id);
    if (!found) throw new Error(`no match ${id}`);
    return found;
  }

  /** Ids of matches that can be played now (ready or with a room). */
  playable(): string[] {
    return this.details()
      .matches.filter((match) => match.state === 'ready' || match.state === 'in_progress')
      .map((match) => match.id);
  }

  /** Reports every playable match with `pick`'s winner until the tournament is finished. */
  playOut(pick: (match: TournamentMatch) => string | null): void {
    for (let guard = 0; this.tournament.status !== 'finished'; guard++) {
      if (guard > 200) throw new Error('the tournament does not finish');
      const next = this.details().matches.find((match) => match.state === 'ready' || match.state === 'in_progress');
      if (!next) throw new Error('the tournament is running but no match is playable');
      const winner = pick(next);
      this.report(next.id, winner === null ? { score: [1, 1] } : { winner_id: winner });
    }
  }

  /** The tournament rebuilt from its log as stored (JSON), from the first event. */
  replayed(): Tournament {
    return Tournament.replay(this.tournament.id, JSON.parse(JSON.stringify(this.log)) as TournamentEventRecord[]);
  }
}

/** The better seed (lower number in `pN`) wins. */
const favourite = (match: TournamentMatch): string => {
  const [a, b] = match.players as [string, string];
  return Number(a.slice(1)) < Number(b.slice(1)) ? a : b;
};

/** A started tournament of `count` players seeded p1, p2, … in registration order. */
function started(input: SettingsInput, count: number, pairingSeed = 7): Harness {
  const harness = new Harness(settingsFor({ seeding: 'registration', ...input }));
  harness.register(players(count));
  harness.start({ pairingSeed });
  return harness;
}

const placesOf = (details: TournamentDetails): Record<string, number> =>
  Object.fromEntries(details.placements.map(({ player_id, place }) => [player_id, place]));

// ---- Random play, for the replay tests -------------------------------------------------------------------

const pick = <T>(random: SeededRandom, items: readonly T[]): T | undefined => items[Math.floor(random.next() * items.length)];

/** Runs one command that may be refused; a refusal must be a TournamentError that appends nothing. */
function attempt(h: Harness, command: () => unknown): void {
  const version = h.version;
  try {
    command();
  } catch (error) {
    if (!(error instanceof TournamentError)) throw error;
    expect(h.version).toBe(version);
  }
}

/** A random report for a match: mostly sensible, sometimes a draw, a forfeit, or nonsense the aggregate refuses. */
function randomReport(random: SeededRandom, [a, b]: [string, string]): MatchReport {
  const roll = random.next();
  if (roll < 0.45) return { winner_id: random.next() < 0.5 ? a : b };
  if (roll < 0.6) return { score: random.next() < 0.5 ? [2, 1] : [0, 2] };
  if (roll < 0.7) return { score: [1, 1] };
  if (roll < 0.8) return { forfeited: [random.next() < 0.5 ? a : b] };
  if (roll < 0.85) return { forfeited: [a, b] };
  if (roll < 0.9) return { winner_id: a, score: [0, 3] };
  if (roll < 0.95) return { winner_id: 'nobody' };
  return { winner_id: null, forfeited: [b] };
}

/**
 * Registration with check-in, a start, then `steps` random commands of every kind (reports, rooms, games, repeats,
 * stale rooms, no-shows, withdrawals, previews and reopens), as organizers, players and the system would send them.
 */
function chaos(input: SettingsInput, seed: number, steps: number): Harness {
  const random = new SeededRandom(seed);
  const h = new Harness(settingsFor({ ...input, max_entrants: 10, check_in_opens_at: iso(0), check_in_closes_at: iso(30) }));
  const pool = players(13);
  h.register(pool);
  for (const id of pool) if (random.next() < 0.15) h.unregister(id);
  for (const id of pool) if (random.next() < 0.8) attempt(h, () => h.checkIn(id, at(1 + Math.floor(random.next() * 29))));
  h.now = at(31);
  h.start({ ratings: Object.fromEntries(pool.map((id) => [id, Math.floor(random.next() * 5) * 100])), pairingSeed: seed });
  const entrants = h.details().entrants.map((e) => e.player_id);
  let games = 0;

  for (let step = 0; step < steps; step++) {
    const t = h.tournament;
    const roll = random.next();
    const playable = h.playable();
    const rooms = [...t.openRooms()];
    const decided = h.details().matches.filter((m) => m.state === 'done' && !m.players.includes('bye'));
    if (roll < 0.25) {
      const id = pick(random, playable);
      if (id) attempt(h, () => h.report(id, randomReport(random, pairOf(t.findMatch(id).match)!)));
    } else if (roll < 0.45) {
      const needing = pick(random, t.matchesNeedingRooms());
      if (needing) h.openRoom(needing.matchId);
    } else if (roll < 0.7) {
      const room = pick(random, rooms);
      if (room) {
        const [roomId, { matchId, players: pair }] = room;
        const gameId = random.next() < 0.1 && games > 0 ? `g${Math.ceil(random.next() * games)}` : `g${++games}`;
        const winner = random.next() < 0.1 ? null : random.next() < 0.5 ? pair[0] : pair[1];
        const ranks = winner === null ? { [pair[0]]: 1, [pair[1]]: 1 } : { [winner]: 1 };
        h.game(matchId, random.next() < 0.05 ? 'room-stale' : roomId, gameId, ranks);
      }
    } else if (roll < 0.77) {
      const room = pick(random, rooms);
      if (room) h.attendance(room[1].matchId, room[0], room[1].players.filter(() => random.next() < 0.7));
    } else if (roll < 0.8) {
      const room = pick(random, rooms);
      if (room) h.openRoom(room[1].matchId, room[0]);
    } else if (roll < 0.82) {
      const id = pick(random, entrants);
      if (id) attempt(h, () => h.withdraw(id));
    } else if (roll < 0.9) {
      const match = pick(random, decided);
      if (match) {
        const before = h.details();
        attempt(h, () => t.decideReopen(match.id, random.next() < 0.5));
        expect(h.details()).toEqual(before);
        if (random.next() < 0.4) attempt(h, () => h.reopen(match.id, random.next() < 0.5));
      }
    } else {
      // Repeats and stale commands: the same report again, a report for a decided match, a game after the end.
      const match = pick(random, decided);
      if (match) {
        const body: MatchReport = { winner_id: match.winner_id, score: [match.score[0]!, match.score[1]!], forfeited: match.forfeited };
        attempt(h, () => expect(h.report(match.id, body)).toEqual([]));
        attempt(h, () => h.report(match.id, randomReport(random, match.players as [string, string])));
        expect(h.execute(SYSTEM_ACTOR, (tt) => tt.decideGame(match.id, 'room-1', `g${++games}`, null))).toEqual([]);
      }
    }
    if (step % 50 === 0) expect(h.replayed().details()).toEqual(h.details());
  }
  return h;
}

// ---- Lifecycle ---------------------------------------------------------------------------------------------

describe('registration', () => {
  it('fills the field up to max_entrants and waitlists the rest in registration order', () => {
    const h = new Harness(settingsFor({ stages: [SE], max_entrants: 4 }));
    h.register(players(6));
    const details = h.details();
    expect(details.entrants.map((e) => e.player_id)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(details.waitlist.map((e) => e.player_id)).toEqual(['p5', 'p6']);
    expect(details.entrants[0]).toEqual({ player_id: 'p1', name: 'P1', seed: null, checked_in: false, withdrawn: false });
    expect(h.tournament.summary()).toMatchObject({ status: 'registration', entrant_count: 4, max_entrants: 4, formats: ['single_elimination'] });
    expect(details.version).toBe(7);
  });

  it('refuses a second registration, of an entrant or a waitlisted player', () => {
    const h = new Harness(settingsFor({ stages: [SE], max_entrants: 2 }));
    h.register(players(3));
    h.refuses('already_registered', () => h.register(['p1']));
    h.refuses('already_registered', () => h.register(['p3']));
  });

  it('is open from registration_opens_at to registration_closes_at, both included', () => {
    const h = new Harness(settingsFor({ stages: [SE], registration_opens_at: iso(0), registration_closes_at: iso(60) }));
    h.refuses('registration_closed', () => h.register(['early'], at(0) - 1));
    h.register(['first'], at(0));
    h.register(['last'], at(60));
    h.refuses('registration_closed', () => h.register(['late'], at(60) + 1));
    expect(h.details().entrants.map((e) => e.player_id)).toEqual(['first', 'last']);
  });

  it('unregistering moves the waitlist up; only registered players can, and only before the start', () => {
    const h = new Harness(settingsFor({ stages: [SE], max_entrants: 3 }));
    h.register(players(5));
    h.unregister('p2');
    expect(h.details().entrants.map((e) => e.player_id)).toEqual(['p1', 'p3', 'p4']);
    expect(h.details().waitlist.map((e) => e.player_id)).toEqual(['p5']);
    h.refuses('not_registered', () => h.unregister('p2'));
    h.register(['p2']);
    expect(h.details().waitlist.map((e) => e.player_id)).toEqual(['p5', 'p2']);
    h.start();
    h.refuses('already_started', () => h.unregister('p1'));
  });

  it('a withdrawal before the start is an unregistration', () => {
    const h = new Harness(settingsFor({ stages: [SE], max_entrants: 2 }));
    h.register(players(3));
    h.withdraw('p1');
    expect(h.details().entrants.map((e) => e.player_id)).toEqual(['p2', 'p3']);
    expect(h.tournament.isRegistered('p1')).toBe(false);
    h.refuses('not_registered', () => h.withdraw('p1'));
  });
});

describe('check-in', () => {
  const window: SettingsInput = { stages: [SE], max_entrants: 4, check_in_opens_at: iso(10), check_in_closes_at: iso(20) };

  it('is open only inside its window, to registered players, once', () => {
    const h = new Harness(settingsFor(window));
    h.register(['p1']);
    h.refuses('check_in_closed', () => h.checkIn('p1', at(10) - 1));
    h.refuses('not_registered', () => h.checkIn('stranger', at(10)));
    expect(h.checkIn('p1', at(10))).toHaveLength(1);
    expect(h.checkIn('p1', at(11))).toEqual([]);
    expect(h.details().entrants[0]?.checked_in).toBe(true);
    h.register(['p2']);
    h.refuses('check_in_closed', () => h.checkIn('p2', at(20) + 1));
  });

  it('closes at starts_at when it has no end of its own', () => {
    const h = new Harness(settingsFor({ stages: [SE], check_in_opens_at: iso(10), starts_at: iso(30) }));
    h.register(['p1', 'p2']);
    h.checkIn('p1', at(30));
    h.refuses('check_in_closed', () => h.checkIn('p2', at(30) + 1));
  });

  it('is refused by a tournament without check-in', () => {
    const h = new Harness(settingsFor({ stages: [SE] }));
    h.register(['p1']);
    h.refuses('check_in_closed', () => h.checkIn('p1', at(0)));
    h.refuses('check_in_closed', () => h.processCheckIns());
  });

  it('processing drops who did not check in and moves checked-in waitlisted players up', () => {
    const h = new Harness(settingsFor(window));
    h.register(players(6));
    for (const id of ['p1', 'p3', 'p5', 'p6']) h.checkIn(id, at(15));
    expect(h.details().waitlist.map((e) => e.player_id)).toEqual(['p5', 'p6']);
    expect(h.processCheckIns()).toHaveLength(1);
    const details = h.details();
    expect(details.entrants.map((e) => e.player_id)).toEqual(['p1', 'p3', 'p5', 'p6']);
    expect(details.waitlist).toEqual([]);
    expect(h.processCheckIns()).toEqual([]);
    h.refuses('check_in_closed', () => h.checkIn('p2', at(16)));
    h.refuses('registration_closed', () => h.register(['p7']));
    h.start();
    expect(h.details().entrants.map((e) => e.player_id).sort()).toEqual(['p1', 'p3', 'p5', 'p6']);
    h.refuses('already_started', () => h.processCheckIns());
  });

  it('a start processes check-ins first when nobody did', () => {
    const h = new Harness(settingsFor(window));
    h.register(players(5));
    for (const id of ['p2', 'p4', 'p5']) h.checkIn(id, at(12));
    const applied = h.start();
    expect(applied.map((record) => record.event.type)).toEqual(['check_ins_processed', 'started']);
    expect(h.details().entrants.map((e) => e.player_id).sort()).toEqual(['p2', 'p4', 'p5']);
  });

  it('only checked-in players count towards min_entrants', () => {
    const h = new Harness(settingsFor({ ...window, min_entrants: 3 }));
    h.register(players(4));
    h.checkIn('p1', at(12));
    h.checkIn('p2', at(12));
    h.refuses('not_enough_entrants', () => h.start());
    expect(h.tournament.status).toBe('registration');
  });
});

describe('start and seeding', () => {
  it('needs min_entrants, and a field the format can play', () => {
    const few = new Harness(settingsFor({ stages: [SE], min_entrants: 4 }));
    few.register(players(3));
    few.refuses('not_enough_entrants', () => few.start());
    const groups = new Harness(settingsFor({ stages: [{ format: 'round_robin', groups: 2 }] }));
    groups.register(players(3));
    groups.refuses('not_enough_entrants', () => groups.start());
  });

  it('does not start a Swiss stage to thresholds that the field cannot pair without rematches', () => {
    const swiss = { format: 'swiss', wins_to_advance: 3, losses_to_eliminate: 3 } as const;
    const four = new Harness(settingsFor({ stages: [swiss] }));
    four.register(players(4));
    four.refuses('not_enough_entrants', () => four.start());
    const five = new Harness(settingsFor({ stages: [swiss] }));
    five.register(players(5));
    expect(five.start().at(-1)?.event.type).toBe('started');
  });

  it('starts once: the entrants get their seeds, the waitlist is left out', () => {
    const h = new Harness(settingsFor({ stages: [SE], max_entrants: 4, seeding: 'registration' }));
    h.register(players(5));
    h.start();
    const details = h.details();
    expect(details.status).toBe('running');
    expect(details.stage).toBe(1);
    expect(details.entrants.map((e) => [e.player_id, e.seed])).toEqual([['p1', 1], ['p2', 2], ['p3', 3], ['p4', 4]]);
    expect(details.waitlist).toEqual([]);
    expect(h.tournament.summary().entrant_count).toBe(4);
    h.refuses('already_started', () => h.start());
    h.refuses('registration_closed', () => h.register(['p9']));
  });

  it('seeds by rating, registration order breaking ties and a missing rating counting 0', () => {
    const h = new Harness(settingsFor({ stages: [SE] }));
    h.register(['a', 'b', 'c', 'd', 'e']);
    h.start({ ratings: { a: 1200, b: 1500, c: 1200, e: 1800 } });
    expect(h.details().entrants.map((e) => e.player_id)).toEqual(['e', 'b', 'a', 'c', 'd']);
    // Seed 1 meets the lowest seed (or its bye) first.
    expect(h.match('WB-R1-M1').players).toEqual(['e', 'bye']);
  });

  it('seeds by registration order, ignoring ratings', () => {
    const h = new Harness(settingsFor({ stages: [SE], seeding: 'registration' }));
    h.register(['a', 'b', 'c', 'd']);
    h.start({ ratings: { d: 3000 } });
    expect(h.details().entrants.map((e) => e.player_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(h.match('WB-R1-M1').players).toEqual(['a', 'd']);
  });

  it('manual seeding takes every entrant exactly once', () => {
    const h = new Harness(settingsFor({ stages: [SE], seeding: 'manual', max_entrants: 4 }));
    h.register(players(5));
    h.refuses('invalid_seeds', () => h.start());
    h.refuses('invalid_seeds', () => h.start({ seeds: ['p1', 'p2', 'p3'] }));
    h.refuses('invalid_seeds', () => h.start({ seeds: ['p1', 'p2', 'p3', 'p3'] }));
    h.refuses('invalid_seeds', () => h.start({ seeds: ['p1', 'p2', 'p3', 'p5'] }));
    h.refuses('invalid_seeds', () => h.start({ seeds: ['p1', 'p2', 'p3', 'p4', 'p5'] }));
    h.start({ seeds: ['p3', 'p1', 'p4', 'p2'] });
    expect(h.details().entrants.map((e) => [e.player_id, e.seed])).toEqual([['p3', 1], ['p1', 2], ['p4', 3], ['p2', 4]]);
  });

  it('refuses seeds unless seeding is manual', () => {
    const h = new Harness(settingsFor({ stages: [SE] }));
    h.register(players(2));
    h.refuses('invalid_seeds', () => h.start({ seeds: ['p2', 'p1'] }));
  });
});

describe('finishing', () => {
  it('a single elimination with a third-place match ends with every place', () => {
    const h = started({ stages: [{ format: 'single_elimination', third_place: true }] }, 4);
    expect(h.details().placements).toEqual([]);
    h.playOut(favourite);
    const details = h.details();
    expect(details.status).toBe('finished');
    expect(h.tournament.summary().status).toBe('finished');
    expect(details.placements).toEqual([
      { player_id: 'p1', place: 1 },
      { player_id: 'p2', place: 2 },
      { player_id: 'p3', place: 3 },
      { player_id: 'p4', place: 4 },
    ]);
    expect(h.tournament.matchesNeedingRooms()).toEqual([]);
    h.refuses('finished', () => h.withdraw('p1'));
  });

  it('a round robin places by its standings', () => {
    const h = started({ stages: [RR] }, 4);
    h.playOut(favourite);
    expect(h.details().placements).toEqual([1, 2, 3, 4].map((place) => ({ player_id: `p${place}`, place })));
    expect(h.details().standings.map((s) => [s.player_id, s.wins, s.losses])).toEqual([['p1', 3, 0], ['p2', 2, 1], ['p3', 1, 2], ['p4', 0, 3]]);
  });
});

// ---- Best-of series ----------------------------------------------------------------------------------------

describe('best-of series', () => {
  it('bestOfFor takes the last matching override, else best_of', () => {
    const settings = settingsFor({
      stages: [{ format: 'round_robin', advance: 2 }, DE],
      best_of: 1,
      best_of_overrides: [
        { stage: 2, best_of: 3 },
        { stage: 2, bracket: 'winners', from_round: 3, best_of: 5 },
        { bracket: 'grand_final', best_of: 7 },
      ],
    });
    expect(bestOfFor(settings, 1, { bracket: 'group:1', round: 5 })).toBe(1);
    expect(bestOfFor(settings, 2, { bracket: 'losers', round: 1 })).toBe(3);
    expect(bestOfFor(settings, 2, { bracket: 'winners', round: 2 })).toBe(3);
    expect(bestOfFor(settings, 2, { bracket: 'winners', round: 3 })).toBe(5);
    expect(bestOfFor(settings, 2, { bracket: 'grand_final', round: 1 })).toBe(7);
    expect(bestOfFor(settingsFor({ stages: [SE] }), 1, { bracket: 'winners', round: 1 })).toBe(1);
  });

  it('a finals override makes only the final a best-of-3', () => {
    const h = started({ stages: [SE], best_of_overrides: [{ bracket: 'winners', from_round: 3, best_of: 3 }] }, 8);
    const bestOf = Object.fromEntries(h.details().matches.map((match) => [match.id, match.best_of]));
    expect(bestOf['WB-R3-M1']).toBe(3);
    expect(Object.entries(bestOf).filter(([id]) => id !== 'WB-R3-M1').every(([, n]) => n === 1)).toBe(true);
    expect(h.tournament.matchesNeedingRooms().map((m) => m.bestOf)).toEqual([1, 1, 1, 1]);
    for (const id of ['WB-R1-M1', 'WB-R1-M2', 'WB-R1-M3', 'WB-R1-M4', 'WB-R2-M1', 'WB-R2-M2']) h.win(id, favourite(h.match(id)));
    expect(h.tournament.matchesNeedingRooms()).toEqual([{ matchId: 'WB-R3-M1', players: ['p1', 'p2'], bestOf: 3 }]);
  });

  it('games come from the match room, once per game id, until a side has ceil(N/2) wins', () => {
    const h = started({ stages: [SE], best_of: 5 }, 2);
    const room = h.openRoom('WB-R1-M1')!;
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'in_progress', room_id: room, best_of: 5, score: [0, 0] });
    expect(h.game('WB-R1-M1', room, 'g1', { p1: 1, p2: 2 })).toHaveLength(1);
    expect(h.game('WB-R1-M1', room, 'g1', { p1: 1, p2: 2 })).toEqual([]);
    expect(h.match('WB-R1-M1').score).toEqual([1, 0]);
    // p1 left the room before the results: p2 takes the game.
    h.game('WB-R1-M1', room, 'g2', { p2: 1 });
    h.gameWon('WB-R1-M1', room, 'g3', 'p1');
    h.gameWon('WB-R1-M1', room, 'g4', 'p2');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'in_progress', score: [2, 2], winner_id: null });
    h.gameWon('WB-R1-M1', room, 'g5', 'p2');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', score: [2, 3], winner_id: 'p2', room_id: null });
    expect(h.tournament.openRooms().size).toBe(0);
    expect(h.details().placements).toEqual([{ player_id: 'p2', place: 1 }, { player_id: 'p1', place: 2 }]);
    // A game reported after the series was decided (or for a match that does not exist) changes nothing.
    expect(h.gameWon('WB-R1-M1', room, 'g6', 'p1')).toEqual([]);
    expect(h.execute(SYSTEM_ACTOR, (t) => t.decideGame('WB-R9-M9', room, 'g7', 'p1'))).toEqual([]);
  });

  it('a drawn game does not decide an elimination series; it goes on past N games', () => {
    const h = started({ stages: [SE], best_of: 3 }, 2);
    const room = h.openRoom('WB-R1-M1')!;
    h.gameWon('WB-R1-M1', room, 'g1', null);
    h.gameWon('WB-R1-M1', room, 'g2', 'p1');
    h.gameWon('WB-R1-M1', room, 'g3', null);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'in_progress', score: [1, 0] });
    h.gameWon('WB-R1-M1', room, 'g4', 'p1');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p1', score: [2, 0] });
  });

  it('a round-robin series ends after N games, drawn when level', () => {
    const h = started({ stages: [RR], best_of: 3 }, 2);
    const id = h.playable()[0]!;
    const room = h.openRoom(id)!;
    const [home, away] = h.match(id).players as [string, string];
    h.gameWon(id, room, 'g1', home);
    h.gameWon(id, room, 'g2', away);
    h.gameWon(id, room, 'g3', null);
    expect(h.match(id)).toMatchObject({ state: 'done', winner_id: null, score: [1, 1] });
    expect(h.details().standings.map((s) => [s.player_id, s.draws, s.points])).toEqual([[home, 1, 0.5], [away, 1, 0.5]].sort());
    expect(h.tournament.status).toBe('finished');
  });

  it('ignores games of a room the match no longer has', () => {
    const h = started({ stages: [SE], best_of: 3 }, 2);
    const first = h.openRoom('WB-R1-M1')!;
    // A second node racing to open a room for the same match is refused.
    expect(h.openRoom('WB-R1-M1')).toBeUndefined();
    h.gameWon('WB-R1-M1', first, 'g1', 'p1');
    // The room was lost with its node: a replacement keeps the games played so far.
    const second = h.openRoom('WB-R1-M1', first)!;
    expect(h.match('WB-R1-M1')).toMatchObject({ room_id: second, score: [1, 0] });
    expect(h.gameWon('WB-R1-M1', first, 'g2', 'p1')).toEqual([]);
    expect(h.match('WB-R1-M1').score).toEqual([1, 0]);
    expect(h.openRoom('WB-R1-M1', first)).toBeUndefined();
    h.gameWon('WB-R1-M1', second, 'g2', 'p2');
    h.gameWon('WB-R1-M1', second, 'g3', 'p2');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p2', score: [1, 2] });
  });

  it('gameWinner ranks the two players; one missing from the results loses', () => {
    const pair = ['a', 'b'] as const;
    expect(gameWinner(pair, [{ player_id: 'a', rank: 2 }, { player_id: 'b', rank: 1 }])).toBe('b');
    expect(gameWinner(pair, [{ player_id: 'a', rank: 1 }, { player_id: 'b', rank: 2 }])).toBe('a');
    expect(gameWinner(pair, [{ player_id: 'b', rank: 3 }])).toBe('b');
    expect(gameWinner(pair, [{ player_id: 'a', rank: 3 }, { player_id: 'c', rank: 1 }])).toBe('a');
    expect(gameWinner(pair, [{ player_id: 'a', rank: 1 }, { player_id: 'b', rank: 1 }])).toBeNull();
    expect(gameWinner(pair, [])).toBeNull();
  });
});

// ---- Reports -----------------------------------------------------------------------------------------------

describe('reports', () => {
  it('completeReport fills in what a report leaves out', () => {
    const pair = ['a', 'b'] as const;
    expect(completeReport(pair, { winner_id: 'b' })).toEqual({ winnerId: 'b', score: [0, 1], forfeited: [] });
    expect(completeReport(pair, { winner_id: 'a', score: [2, 1] })).toEqual({ winnerId: 'a', score: [2, 1], forfeited: [] });
    expect(completeReport(pair, { score: [0, 2] })).toEqual({ winnerId: 'b', score: [0, 2], forfeited: [] });
    expect(completeReport(pair, { score: [1, 1] })).toEqual({ winnerId: null, score: [1, 1], forfeited: [] });
    expect(completeReport(pair, { forfeited: ['a'] })).toEqual({ winnerId: 'b', score: [0, 0], forfeited: ['a'] });
    expect(completeReport(pair, { forfeited: ['a', 'b'] })).toEqual({ winnerId: null, score: [0, 0], forfeited: ['a', 'b'] });
    const error = caught(() => completeReport(pair, {}));
    expect(error).toBeInstanceOf(TournamentError);
    expect((error as TournamentError).code).toBe('invalid_report');
  });

  it('the same report twice appends nothing; a different one needs a reopen', () => {
    const h = started({ stages: [SE] }, 4);
    expect(h.report('WB-R1-M1', { winner_id: 'p1', score: [2, 1] })).toHaveLength(1);
    expect(h.report('WB-R1-M1', { winner_id: 'p1', score: [2, 1] })).toEqual([]);
    h.refuses('match_decided', () => h.report('WB-R1-M1', { winner_id: 'p1', score: [2, 0] }));
    h.refuses('match_decided', () => h.report('WB-R1-M1', { winner_id: 'p4' }));
    h.refuses('match_decided', () => h.report('WB-R1-M1', { forfeited: ['p4'] }));
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p1', score: [2, 1] });
  });

  it('a double forfeit repeated is the same report, whatever the order of the forfeits', () => {
    const h = started({ stages: [RR] }, 4);
    const id = h.playable()[0]!;
    const [home, away] = h.match(id).players as [string, string];
    h.report(id, { forfeited: [home, away] });
    expect(h.report(id, { forfeited: [away, home] })).toEqual([]);
  });

  it('is refused before the start, for unknown matches and for matches still waiting for a player', () => {
    const h = new Harness(settingsFor({ stages: [SE], seeding: 'registration' }));
    h.register(players(4));
    h.refuses('not_started', () => h.execute('organizer', (t) => t.decideReport('WB-R1-M1', { winnerId: 'p1', score: [1, 0], forfeited: [] })));
    h.start();
    h.refuses('match_not_found', () => h.win('WB-R7-M1', 'p1'));
    h.refuses('match_not_ready', () => h.win('WB-R2-M1', 'p1'));
    h.refuses('match_not_ready', () => h.execute('organizer', (t) => t.decideReport('WB-R2-M1', { winnerId: 'p1', score: [1, 0], forfeited: [] })));
  });

  it('refuses reports that cannot be', () => {
    const h = started({ stages: [SE] }, 4);
    const id = 'WB-R1-M1'; // p1 v p4
    h.refuses('invalid_report', () => h.report(id, {}));
    h.refuses('invalid_report', () => h.win(id, 'p2'));
    h.refuses('invalid_report', () => h.report(id, { forfeited: ['p3'] }));
    h.refuses('invalid_report', () => h.report(id, { winner_id: 'p1', score: [0, 2] }));
    h.refuses('invalid_report', () => h.report(id, { winner_id: 'p1', score: [1, 1] }));
    h.refuses('invalid_report', () => h.report(id, { winner_id: 'p1', forfeited: ['p1'] }));
    h.refuses('invalid_report', () => h.report(id, { winner_id: 'p1', forfeited: ['p1', 'p4'] }));
    h.refuses('invalid_report', () => h.report(id, { winner_id: null, forfeited: ['p4'] }));
    expect(h.match(id).state).toBe('ready');
  });

  it('refuses draws in elimination', () => {
    for (const stage of [SE, DE]) {
      const h = started({ stages: [stage] }, 4);
      h.refuses('invalid_report', () => h.report('WB-R1-M1', { score: [1, 1] }));
      h.refuses('invalid_report', () => h.report('WB-R1-M1', { winner_id: null }));
    }
  });

  it('takes draws in round robin and Swiss, with an equal score', () => {
    const rr = started({ stages: [RR] }, 4);
    const id = rr.playable()[0]!;
    rr.refuses('invalid_report', () => rr.report(id, { winner_id: null, score: [2, 1] }));
    rr.report(id, { score: [1, 1] });
    expect(rr.match(id)).toMatchObject({ state: 'done', winner_id: null, score: [1, 1] });
    expect(rr.details().standings.filter((s) => s.draws === 1)).toHaveLength(2);

    const swiss = started({ stages: [{ format: 'swiss', rounds: 2 }] }, 4);
    const first = swiss.playable()[0]!;
    swiss.report(first, { winner_id: null });
    expect(swiss.match(first)).toMatchObject({ state: 'done', winner_id: null, score: [0, 0] });
  });

  it('a double forfeit in single elimination: nobody advances, the opponent in the next round gets a bye', () => {
    const h = started({ stages: [SE] }, 4);
    h.report('WB-R1-M1', { forfeited: ['p1', 'p4'] });
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: null, forfeited: ['p1', 'p4'] });
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'waiting', players: ['bye', null] });
    h.win('WB-R1-M2', 'p3');
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'done', players: ['bye', 'p3'] });
    expect(h.tournament.status).toBe('finished');
    // The final was a bye, so nobody is second; both forfeiters take the place a loser of their match gets.
    expect(placesOf(h.details())).toEqual({ p3: 1, p1: 3, p2: 3, p4: 3 });
  });

  it('a double forfeit in round robin is a loss for both', () => {
    const h = started({ stages: [RR] }, 2);
    h.report(h.playable()[0]!, { forfeited: ['p1', 'p2'] });
    expect(h.details().standings.map((s) => [s.player_id, s.wins, s.losses, s.points])).toEqual([['p1', 0, 1, 0], ['p2', 0, 1, 0]]);
  });
});

// ---- No-shows ----------------------------------------------------------------------------------------------

describe('no-show attendance', () => {
  it('shows the join deadline until both players are in', () => {
    const h = started({ stages: [SE], no_show_seconds: 120 }, 2);
    const room = h.openRoom('WB-R1-M1')!;
    const deadline = h.tournament.openRooms().get(room)!.deadline;
    expect(h.match('WB-R1-M1').join_deadline).toBe(new Date(deadline).toISOString());
    expect(h.attendance('WB-R1-M1', room, ['p1', 'p2'])).toHaveLength(1);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'in_progress', join_deadline: null });
    expect(h.attendance('WB-R1-M1', room, [])).toEqual([]);
  });

  it('a game played counts as attended', () => {
    const h = started({ stages: [SE], best_of: 3 }, 2);
    const room = h.openRoom('WB-R1-M1')!;
    h.gameWon('WB-R1-M1', room, 'g1', 'p2');
    expect(h.attendance('WB-R1-M1', room, [])).toEqual([]);
    expect(h.match('WB-R1-M1').state).toBe('in_progress');
  });

  it('one player absent: the present one wins by forfeit', () => {
    const h = started({ stages: [SE] }, 4);
    const room = h.openRoom('WB-R1-M1')!;
    h.attendance('WB-R1-M1', room, ['p4']);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p4', forfeited: ['p1'], room_id: null });
    expect(h.match('WB-R2-M1').players).toEqual(['p4', null]);
    expect(h.attendance('WB-R1-M1', room, [])).toEqual([]);
  });

  it('both absent: a double forfeit', () => {
    const h = started({ stages: [SE] }, 4);
    const room = h.openRoom('WB-R1-M2')!;
    h.attendance('WB-R1-M2', room, []);
    expect(h.match('WB-R1-M2')).toMatchObject({ state: 'done', winner_id: null, forfeited: ['p2', 'p3'] });
  });

  it('a stale room decides nothing', () => {
    const h = started({ stages: [SE] }, 2);
    const first = h.openRoom('WB-R1-M1')!;
    const second = h.openRoom('WB-R1-M1', first)!;
    expect(h.attendance('WB-R1-M1', first, [])).toEqual([]);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'in_progress', room_id: second });
  });

  it('a no-show in round robin is a win and a loss in the standings', () => {
    const h = started({ stages: [RR] }, 2);
    const id = h.playable()[0]!;
    h.attendance(id, h.openRoom(id)!, ['p2']);
    expect(h.details().standings.map((s) => [s.player_id, s.wins, s.losses])).toEqual([['p2', 1, 0], ['p1', 0, 1]]);
  });
});

// ---- Withdrawals -------------------------------------------------------------------------------------------

describe('withdraw', () => {
  it('single elimination: the current match is forfeited, and each later one as it comes up', () => {
    const h = started({ stages: [SE] }, 8);
    h.win('WB-R1-M1', 'p1');
    h.withdraw('p1');
    expect(h.details().entrants.find((e) => e.player_id === 'p1')?.withdrawn).toBe(true);
    expect(h.match('WB-R2-M1').state).toBe('waiting');
    h.win('WB-R1-M2', 'p4');
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'done', players: ['p1', 'p4'], winner_id: 'p4', forfeited: ['p1'] });
    h.withdraw('p2');
    const r1m3 = h.details().matches.find((m) => m.players.includes('p2') && m.round === 1)!;
    expect(r1m3).toMatchObject({ state: 'done', forfeited: ['p2'] });
    expect(h.withdraw('p2')).toEqual([]);
  });

  it('a series under way keeps its game score when forfeited', () => {
    const h = started({ stages: [SE], best_of: 3 }, 2);
    const room = h.openRoom('WB-R1-M1')!;
    h.gameWon('WB-R1-M1', room, 'g1', 'p2');
    h.withdraw('p2');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p1', score: [0, 1], forfeited: ['p2'] });
    expect(h.tournament.status).toBe('finished');
  });

  it('round robin: every remaining match of the player is forfeited, played ones stand', () => {
    const h = started({ stages: [RR] }, 4);
    const played = h.details().matches.find((m) => m.players.includes('p2'))!;
    h.win(played.id, 'p2');
    h.withdraw('p2');
    const ofP2 = h.details().matches.filter((m) => m.players.includes('p2'));
    expect(ofP2).toHaveLength(3);
    expect(ofP2.every((m) => m.state === 'done')).toBe(true);
    expect(ofP2.filter((m) => m.forfeited.includes('p2'))).toHaveLength(2);
    expect(h.details().standings.find((s) => s.player_id === 'p2')).toMatchObject({ wins: 1, losses: 2 });
  });

  it('is only for entrants: not for a stranger or a player left on the waitlist', () => {
    const h = new Harness(settingsFor({ stages: [SE], max_entrants: 2 }));
    h.register(players(3));
    h.start();
    h.refuses('not_registered', () => h.withdraw('p3'));
    h.refuses('not_registered', () => h.withdraw('stranger'));
  });
});

// ---- Reopen ------------------------------------------------------------------------------------------------

describe('reopen', () => {
  it('the preview lists the dependents and changes nothing', () => {
    const h = started({ stages: [{ format: 'single_elimination', third_place: true }] }, 4);
    h.playOut(favourite);
    const before = h.details();
    const preview = h.tournament.decideReopen('WB-R1-M1', false);
    expect([...preview.reset].sort()).toEqual(['3RD', 'WB-R2-M1']);
    expect(preview.events).toEqual([{ type: 'reopened', match_id: 'WB-R1-M1', reset: preview.reset, replay: false }]);
    expect(h.details()).toEqual(before);
    expect(h.tournament.version).toBe(before.version);
  });

  it('single elimination: confirming resets the dependents; the match waits for a corrected report', () => {
    const h = started({ stages: [{ format: 'single_elimination', third_place: true }] }, 4);
    h.playOut(favourite);
    expect([...h.reopen('WB-R1-M1')].sort()).toEqual(['3RD', 'WB-R2-M1']);
    const details = h.details();
    expect(details.status).toBe('running');
    expect(details.placements).toEqual([]);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'ready', winner_id: null, score: [0, 0] });
    expect(h.match('WB-R1-M2')).toMatchObject({ state: 'done', winner_id: 'p2' });
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'waiting', players: [null, 'p2'] });
    expect(h.match('3RD')).toMatchObject({ state: 'waiting', players: [null, 'p3'] });
    // Held for a report: no room is opened for it.
    expect(h.tournament.matchesNeedingRooms()).toEqual([]);
    expect(h.openRoom('WB-R1-M1')).toBeUndefined();
    h.win('WB-R1-M1', 'p4');
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'ready', players: ['p4', 'p2'] });
    expect(h.match('3RD')).toMatchObject({ state: 'ready', players: ['p1', 'p3'] });
    h.playOut(favourite);
    expect(placesOf(h.details())).toEqual({ p2: 1, p4: 2, p1: 3, p3: 4 });
  });

  it('replay: the match is played again in a new room; games of its old room count for nothing', () => {
    const h = started({ stages: [SE], best_of: 3 }, 2);
    const old = h.openRoom('WB-R1-M1')!;
    h.gameWon('WB-R1-M1', old, 'g1', 'p1');
    h.gameWon('WB-R1-M1', old, 'g2', 'p1');
    expect(h.tournament.status).toBe('finished');
    expect(h.reopen('WB-R1-M1', true)).toEqual([]);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'ready', score: [0, 0], room_id: null });
    expect(h.tournament.matchesNeedingRooms()).toEqual([{ matchId: 'WB-R1-M1', players: ['p1', 'p2'], bestOf: 3 }]);
    const fresh = h.openRoom('WB-R1-M1')!;
    expect(h.gameWon('WB-R1-M1', old, 'g3', 'p1')).toEqual([]);
    h.gameWon('WB-R1-M1', fresh, 'g4', 'p2');
    h.gameWon('WB-R1-M1', fresh, 'g5', 'p2');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p2', score: [0, 2] });
  });

  it('a forfeit by no-show can be reopened too', () => {
    const h = started({ stages: [SE] }, 2);
    const room = h.openRoom('WB-R1-M1')!;
    h.attendance('WB-R1-M1', room, ['p1']);
    h.reopen('WB-R1-M1');
    h.win('WB-R1-M1', 'p2');
    expect(h.match('WB-R1-M1')).toMatchObject({ winner_id: 'p2', forfeited: [] });
  });

  it('double elimination: a winners round-1 reopen resets its winners round-2 and losers matches only', () => {
    const h = started({ stages: [DE] }, 8);
    for (const id of ['WB-R1-M1', 'WB-R1-M2', 'WB-R1-M3', 'WB-R1-M4', 'WB-R2-M1', 'WB-R2-M2', 'LB-R1-M1', 'LB-R1-M2']) {
      h.win(id, favourite(h.match(id)));
    }
    const before = h.details();
    const preview = h.tournament.decideReopen('WB-R1-M1', false).reset;
    expect(h.details()).toEqual(before);
    // WB-R1-M1's winner went on to WB-R2-M1 and its loser to LB-R1-M1, whose winner is waiting in LB-R2.
    expect([...preview].sort()).toEqual(['LB-R1-M1', 'WB-R2-M1']);
    expect(h.reopen('WB-R1-M1')).toEqual(preview);
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'waiting', winner_id: null });
    expect(h.match('LB-R1-M1')).toMatchObject({ state: 'waiting', winner_id: null });
    for (const id of ['WB-R1-M2', 'WB-R1-M3', 'WB-R1-M4', 'WB-R2-M2', 'LB-R1-M2']) {
      expect(h.match(id)).toEqual(before.matches.find((m) => m.id === id));
    }
    // The same result again brings back the same pairings; the reset matches are played afresh.
    h.win('WB-R1-M1', 'p1');
    expect(h.match('WB-R2-M1')).toMatchObject({ state: 'ready', players: before.matches.find((m) => m.id === 'WB-R2-M1')!.players });
    expect(h.match('LB-R1-M1').state).toBe('ready');
  });

  it('double elimination: reopening the first grand final takes back the bracket reset', () => {
    const h = started({ stages: [DE] }, 4);
    h.playOut((match) => (match.id === 'GF-1' ? (match.players[1] as string) : favourite(match)));
    expect(h.tournament.status).toBe('finished');
    expect(h.reopen('GF-1')).toEqual(['GF-2']);
    h.win('GF-1', h.match('GF-1').players[0] as string);
    expect(h.match('GF-2')).toMatchObject({ state: 'done', players: ['bye', 'bye'] });
    expect(h.tournament.status).toBe('finished');
  });

  it('round robin: nothing depends on a match', () => {
    const h = started({ stages: [RR] }, 4);
    h.playOut(favourite);
    const id = h.details().matches.find((m) => m.players.includes('p1') && m.players.includes('p2'))!.id;
    expect(h.reopen(id)).toEqual([]);
    expect(h.tournament.status).toBe('running');
    expect(h.details().matches.filter((m) => m.state === 'done')).toHaveLength(5);
    h.win(id, 'p2');
    expect(h.tournament.status).toBe('finished');
    expect(h.details().standings.find((s) => s.player_id === 'p2')?.wins).toBe(3);
  });

  it('Swiss: later rounds are reset and paired again', () => {
    const h = started({ stages: [{ format: 'swiss', rounds: 3 }] }, 6);
    const round = (n: number) => h.details().matches.filter((m) => m.round === n);
    for (const match of round(1)) h.win(match.id, favourite(match));
    for (const match of round(2)) h.win(match.id, favourite(match));
    expect(round(3)).toHaveLength(3);
    const underWay = round(3)[0]!.id;
    h.openRoom(underWay);
    const target = round(1)[0]!;
    const expected = [...round(2).map((m) => m.id), underWay].sort();
    const preview = h.tournament.decideReopen(target.id, false).reset;
    expect([...preview].sort()).toEqual(expected);
    expect(round(3)).toHaveLength(3);
    expect([...h.reopen(target.id)].sort()).toEqual(expected);
    expect(round(2)).toEqual([]);
    expect(round(3)).toEqual([]);
    expect(h.tournament.openRooms().size).toBe(0);
    expect(round(1).filter((m) => m.state === 'done')).toHaveLength(2);
    const [a, b] = target.players as [string, string];
    h.win(target.id, favourite(target) === a ? b : a);
    expect(round(2)).toHaveLength(3);
    expect(round(2).every((m) => m.state === 'ready' && m.score.join() === '0,0')).toBe(true);
    h.playOut(favourite);
    expect(h.details().placements).toHaveLength(6);
  });

  it('refuses matches without a result', () => {
    const h = new Harness(settingsFor({ stages: [SE], seeding: 'registration' }));
    h.register(players(3));
    h.refuses('not_started', () => h.reopen('WB-R1-M1'));
    h.start();
    // p1 has a bye in WB-R1-M1; WB-R1-M2 is still to be played.
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', players: ['p1', 'bye'] });
    h.refuses('match_not_decided', () => h.reopen('WB-R1-M1'));
    h.refuses('match_not_decided', () => h.reopen('WB-R1-M2'));
    h.refuses('match_not_decided', () => h.tournament.decideReopen('WB-R2-M1', true));
    h.refuses('match_not_found', () => h.reopen('WB-R5-M1'));
    h.win('WB-R1-M2', 'p2');
    h.reopen('WB-R1-M2');
    h.refuses('match_not_decided', () => h.reopen('WB-R1-M2'));
  });
});

// ---- Two stages --------------------------------------------------------------------------------------------

describe('groups, then a bracket', () => {
  const twoStage = { stages: [{ format: 'round_robin', groups: 2, advance: 2 }, SE] } satisfies SettingsInput;
  const groupStage = (h: Harness) => h.details().matches.filter((m) => m.stage === 1);
  const between = (h: Harness, a: string, b: string) => groupStage(h).find((m) => m.players.includes(a) && m.players.includes(b))!;
  const playGroups = (h: Harness, pick: (match: TournamentMatch) => string | null) => {
    for (const match of groupStage(h).filter((m) => m.state !== 'done')) h.report(match.id, pick(match) === null ? { score: [1, 1] } : { winner_id: pick(match)! });
  };

  it('groups are snake-dealt by seed', () => {
    const h = started(twoStage, 8);
    const groupOf = (id: string) => groupStage(h).find((m) => m.players.includes(id))!.bracket;
    expect(['p1', 'p4', 'p5', 'p8'].map(groupOf)).toEqual(Array(4).fill('group:1'));
    expect(['p2', 'p3', 'p6', 'p7'].map(groupOf)).toEqual(Array(4).fill('group:2'));
    expect(groupStage(h)).toHaveLength(12);
    expect(h.details().stage).toBe(1);
  });

  it('the top two of each group go on, every group winner seeded before every runner-up', () => {
    const h = started(twoStage, 8);
    playGroups(h, favourite);
    const details = h.details();
    expect(details.stage).toBe(2);
    expect(details.status).toBe('running');
    expect(h.tournament.stages[1]!.entrants).toEqual([
      { id: 'p1', seed: 1 },
      { id: 'p2', seed: 2 },
      { id: 'p4', seed: 3 },
      { id: 'p3', seed: 4 },
    ]);
    // Seed 1 meets seed 4, the other group's runner-up.
    expect(h.match('WB-R1-M1')).toMatchObject({ stage: 2, players: ['p1', 'p3'], state: 'ready' });
    expect(h.match('WB-R1-M2')).toMatchObject({ stage: 2, players: ['p2', 'p4'], state: 'ready' });
    // The group stage is over: its matches stay as played.
    h.refuses('match_decided', () => h.win(between(h, 'p1', 'p4').id, 'p4'));
  });

  it('within a place, the better record seeds higher', () => {
    const h = started(twoStage, 8);
    // p1 only draws with p5, so the other group's winner (3 wins) is seed 1.
    playGroups(h, (match) => (match.players.includes('p1') && match.players.includes('p5') ? null : favourite(match)));
    expect(h.tournament.stages[1]!.entrants.map((e) => e.id)).toEqual(['p2', 'p1', 'p4', 'p3']);
  });

  it('finishes with the bracket places, then those out in the groups by group rank', () => {
    const h = started(twoStage, 8);
    h.playOut(favourite);
    expect(h.details().placements).toEqual([
      { player_id: 'p1', place: 1 },
      { player_id: 'p2', place: 2 },
      // The two semi-final losers share 3rd, in bracket seed order.
      { player_id: 'p4', place: 3 },
      { player_id: 'p3', place: 3 },
      { player_id: 'p5', place: 5 },
      { player_id: 'p6', place: 6 },
      { player_id: 'p7', place: 7 },
      { player_id: 'p8', place: 8 },
    ]);
  });

  it('a withdrawn group player is passed over for the bracket', () => {
    const h = started(twoStage, 8);
    playGroups(h, favourite);
    // Too late for stage 1 to change: p3 withdrew after it, so it forfeits in the bracket.
    h.withdraw('p3');
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'done', winner_id: 'p1', forfeited: ['p3'] });

    const early = started(twoStage, 8);
    early.withdraw('p4');
    playGroups(early, favourite);
    expect(early.tournament.stages[1]!.entrants.map((e) => e.id)).toEqual(['p1', 'p2', 'p5', 'p3']);
  });

  it('the cut is decided by seed when the configured tie-breaks leave it level', () => {
    const h = started({ ...twoStage, tie_breaks: ['wins'] }, 8);
    playGroups(h, () => null);
    // Every group match drawn: with `wins` alone all four of a group share rank 1.
    expect(h.details().standings.filter((s) => s.stage === 1).every((s) => s.rank === 1)).toBe(true);
    expect(h.tournament.stages[1]!.entrants.map((e) => e.id)).toEqual(['p1', 'p2', 'p4', 'p3']);
  });

  it('a group whose players all withdrew sends nobody on', () => {
    const h = started({ stages: [{ format: 'round_robin', groups: 3, advance: 1 }, SE] }, 6);
    // Groups: p1 p6 | p2 p5 | p3 p4.
    h.withdraw('p1');
    h.withdraw('p6');
    playGroups(h, favourite);
    expect(h.tournament.stages[1]!.entrants.map((e) => e.id)).toEqual(['p2', 'p3']);
    h.playOut(favourite);
    expect(placesOf(h.details())).toMatchObject({ p2: 1, p3: 2 });
  });

  it('with fewer than two left to go on, the tournament ends with the groups', () => {
    const h = started({ stages: [{ format: 'swiss', rounds: 2, advance: 2 }, SE] }, 4);
    for (const id of ['p1', 'p2', 'p3']) h.withdraw(id);
    expect(h.tournament.status).toBe('finished');
    expect(h.details().stage).toBe(1);
    expect(h.details().placements[0]).toEqual({ player_id: 'p4', place: 1 });
  });

  it('reopening a group match takes back the bracket', () => {
    const h = started({ ...twoStage, best_of_overrides: [{ stage: 2, best_of: 3 }] }, 8);
    playGroups(h, favourite);
    expect(h.match('WB-R1-M1').best_of).toBe(3);
    h.win('WB-R1-M1', 'p1');
    const room = h.openRoom('WB-R1-M2')!;
    const match = between(h, 'p1', 'p4');
    expect([...h.tournament.decideReopen(match.id, false).reset].sort()).toEqual(['WB-R1-M1', 'WB-R1-M2']);
    expect([...h.reopen(match.id)].sort()).toEqual(['WB-R1-M1', 'WB-R1-M2']);
    expect(h.details().stage).toBe(1);
    expect(h.tournament.openRooms().has(room)).toBe(false);
    expect(h.details().matches.every((m) => m.stage === 1)).toBe(true);
    // p4 now beats p1 and wins group 1.
    h.win(match.id, 'p4');
    expect(h.details().stage).toBe(2);
    expect(h.tournament.stages[1]!.entrants.map((e) => e.id)).toEqual(['p4', 'p2', 'p1', 'p3']);
    expect(h.match('WB-R1-M1')).toMatchObject({ state: 'ready', players: ['p4', 'p3'], score: [0, 0] });
  });
});

// ---- Replay ------------------------------------------------------------------------------------------------

describe('replay', () => {
  const formats: [string, SettingsInput][] = [
    ['single elimination, third place, best-of-3', { stages: [{ format: 'single_elimination', third_place: true }], best_of: 3 }],
    ['double elimination, finals best-of-5', { stages: [DE], best_of_overrides: [{ bracket: 'grand_final', best_of: 5 }] }],
    ['double round robin, best-of-3', { stages: [{ format: 'round_robin', cycles: 2 }], best_of: 3 }],
    ['Swiss, fixed rounds', { stages: [{ format: 'swiss', rounds: 4 }] }],
    ['Swiss, thresholds', { stages: [{ format: 'swiss', wins_to_advance: 2, losses_to_eliminate: 2 }], best_of: 3 }],
    ['groups then double elimination', { stages: [{ format: 'round_robin', groups: 2, advance: 2 }, DE] }],
    ['Swiss then single elimination', { stages: [{ format: 'swiss', rounds: 3, advance: 4 }, SE], best_of_overrides: [{ stage: 2, best_of: 3 }] }],
  ];

  for (const [name, input] of formats) {
    it(`rebuilds the same tournament from its log: ${name}`, () => {
      const types = new Set<string>();
      for (const seed of [1, 2, 3]) {
        const h = chaos(input, seed * 7919, 300);
        expect(h.log.length).toBeGreaterThan(60);
        for (const record of h.log) types.add(record.event.type);
        const replayed = h.replayed();
        expect(replayed.details()).toEqual(h.details());
        expect(replayed.summary()).toEqual(h.tournament.summary());
        expect(replayed.matchesNeedingRooms()).toEqual(h.tournament.matchesNeedingRooms());
        expect([...replayed.openRooms()]).toEqual([...h.tournament.openRooms()]);
        expect(replayed.version).toBe(h.log.length);
      }
      // Every kind of event was in the mix.
      expect([...types].sort()).toEqual(
        ['attendance', 'check_ins_processed', 'checked_in', 'created', 'game_reported', 'registered', 'reopened', 'reported', 'room_opened', 'started', 'unregistered', 'withdrew'],
      );
    });
  }

  it('applies events strictly in order', () => {
    const h = started({ stages: [SE] }, 2);
    const copy = new Tournament('copy');
    copy.apply(h.log[0]!);
    expect(() => copy.apply(h.log[2]!)).toThrow(RangeError);
  });
});

// ---- Settings ----------------------------------------------------------------------------------------------

describe('normalizeSettings', () => {
  it('fills every default', () => {
    expect(normalizeSettings({ name: 'Cup', stages: [SE] }, MODES)).toEqual({
      name: 'Cup',
      game_mode: 'duel',
      stages: [{ format: 'single_elimination', third_place: false }],
      min_entrants: 2,
      max_entrants: 64,
      best_of: 1,
      no_show_seconds: 300,
      seeding: 'rating',
      points: { win: 1, draw: 0.5, loss: 0, bye: 1 },
      tie_breaks: ['head_to_head', 'buchholz', 'buchholz_cut1', 'sonneborn_berger', 'wins', 'seed'],
    });
    expect(settingsFor({ stages: [DE] }).stages).toEqual([{ format: 'double_elimination', grand_final: 'double' }]);
    expect(settingsFor({ stages: [{ format: 'round_robin', advance: 2 }, SE] }).stages[0]).toEqual({ format: 'round_robin', cycles: 1, groups: 1, advance: 2 });
    expect(settingsFor({ stages: [SE], game_mode: 'ffa', best_of: 3 })).toMatchObject({ game_mode: 'ffa', best_of: 3 });
  });

  const refused: [string, SettingsInput][] = [
    ['an unknown game mode', { stages: [SE], game_mode: 'chess' }],
    ['an even best_of', { stages: [SE], best_of: 2 }],
    ['an even override', { stages: [SE], best_of: 3, best_of_overrides: [{ bracket: 'winners', best_of: 4 }] }],
    ['advance without a second stage', { stages: [{ format: 'round_robin', advance: 2 }] }],
    ['an elimination first stage', { stages: [SE, DE] }],
    ['groups without advance before a bracket', { stages: [RR, SE] }],
    ['a group stage as the second stage', { stages: [{ format: 'round_robin', advance: 2 }, { format: 'swiss', rounds: 3 }] }],
    ['groups sending one entrant on', { stages: [{ format: 'round_robin', advance: 1 }, SE] }],
    ['Swiss sending one entrant on', { stages: [{ format: 'swiss', rounds: 3, advance: 1 }, DE] }],
    ['half a Swiss threshold', { stages: [{ format: 'swiss', wins_to_advance: 3 }] }],
    ['Swiss rounds and thresholds', { stages: [{ format: 'swiss', rounds: 3, wins_to_advance: 3, losses_to_eliminate: 3 }] }],
    ['min_entrants above max_entrants', { stages: [SE], min_entrants: 9, max_entrants: 8 }],
    ['registration closing before it opens', { stages: [SE], registration_opens_at: iso(10), registration_closes_at: iso(5) }],
    ['check-in closing before it opens', { stages: [SE], check_in_opens_at: iso(10), check_in_closes_at: iso(5) }],
    ['check-in opening after the start', { stages: [SE], check_in_opens_at: iso(10), starts_at: iso(5) }],
    ['check-in closing after the start', { stages: [SE], check_in_opens_at: iso(0), check_in_closes_at: iso(10), starts_at: iso(5) }],
    ['a check-in end without a start', { stages: [SE], check_in_closes_at: iso(10) }],
    ['manual seeding with starts_at', { stages: [SE], seeding: 'manual', starts_at: iso(60) }],
  ];
  for (const [what, input] of refused) {
    it(`refuses ${what}`, () => {
      const error = caught(() => settingsFor(input));
      expect(error).toBeInstanceOf(TournamentError);
      expect((error as TournamentError).code).toBe('invalid_tournament');
    });
  }

  it('takes windows that touch, and manual seeding without starts_at', () => {
    expect(() =>
      settingsFor({ stages: [SE], registration_opens_at: iso(0), registration_closes_at: iso(0), check_in_opens_at: iso(5), check_in_closes_at: iso(5), starts_at: iso(5) }),
    ).not.toThrow();
    expect(settingsFor({ stages: [SE], seeding: 'manual' }).seeding).toBe('manual');
  });
});
