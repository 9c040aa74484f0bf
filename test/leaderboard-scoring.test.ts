import { describe, expect, it } from 'vitest';
import {
  applyAttempt,
  compareRecords,
  LeaderboardError,
  periodAt,
  playerOfMember,
  SCORE_LIMIT,
  sortedSetEntry,
  validateDefinition,
  writablePeriod,
  type Attempt,
  type LeaderboardDefinition,
  type RankedRecord,
  type ScoreOperator,
  type ScoreRecord,
  type SortOrder,
} from '../src/leaderboards/index.js';

const board = (operator: ScoreOperator, sortOrder: SortOrder = 'desc') => ({ operator, sortOrder });

/** Applies `attempts` one after another from no record, at times 1, 2, 3 … */
function play(operator: ScoreOperator, attempts: Attempt[], sortOrder: SortOrder = 'desc'): ScoreRecord | undefined {
  let record: ScoreRecord | undefined;
  attempts.forEach((attempt, index) => {
    record = applyAttempt(board(operator, sortOrder), record, attempt, index + 1).record;
  });
  return record;
}

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LeaderboardError);
    return (error as LeaderboardError).code;
  }
  throw new Error('expected a LeaderboardError');
};

describe('score operators', () => {
  it('best keeps the better (score, subscore) of one attempt, never mixing two attempts', () => {
    // Nakama's GREATEST per column would give (100, 9) here, a pair nobody scored.
    expect(play('best', [{ score: 100, subscore: 1 }, { score: 90, subscore: 9 }])).toMatchObject({ score: 100, subscore: 1, attempts: 2, updatedAt: 1 });
    expect(play('best', [{ score: 100, subscore: 1 }, { score: 100, subscore: 5 }])).toMatchObject({ score: 100, subscore: 5, updatedAt: 2 });
    // An equal attempt does not move the record's time: the first to reach a value keeps the better tie rank.
    expect(play('best', [{ score: 7, subscore: 7 }, { score: 7, subscore: 7 }])).toMatchObject({ attempts: 2, updatedAt: 1 });
  });

  it('best on an ascending board keeps the lowest pair', () => {
    expect(play('best', [{ score: 61_000, subscore: 3 }, { score: 59_500, subscore: 8 }, { score: 59_500, subscore: 2 }], 'asc')).toMatchObject({ score: 59_500, subscore: 2 });
  });

  it('best reports whether the rank value changed', () => {
    const first = applyAttempt(board('best'), undefined, { score: 5, subscore: 0 }, 1);
    expect(first.rankChanged).toBe(true);
    expect(applyAttempt(board('best'), first.record, { score: 4, subscore: 0 }, 2).rankChanged).toBe(false);
  });

  it('set replaces, incr adds and decr subtracts, with negative scores allowed', () => {
    expect(play('set', [{ score: 10, subscore: 1 }, { score: -3, subscore: 0 }])).toMatchObject({ score: -3, subscore: 0, attempts: 2 });
    expect(play('incr', [{ score: 10, subscore: 1 }, { score: -15, subscore: 2 }])).toMatchObject({ score: -5, subscore: 3 });
    expect(play('decr', [{ score: 4, subscore: 0 }, { score: 3, subscore: 1 }])).toMatchObject({ score: -7, subscore: -1 });
    expect(play('best', [{ score: -50, subscore: 0 }, { score: -20, subscore: 0 }])).toMatchObject({ score: -20 });
  });

  it('incr of many attempts sums exactly in any order', () => {
    const attempts = Array.from({ length: 500 }, (_, index) => ({ score: (index % 7) - 3, subscore: index }));
    const forwards = play('incr', attempts)!;
    const backwards = play('incr', [...attempts].reverse())!;
    const total = attempts.reduce((sum, attempt) => sum + attempt.score, 0);
    expect(forwards.score).toBe(total);
    expect(backwards.score).toBe(total);
    expect(forwards.attempts).toBe(500);
  });

  it('refuses fractions, non-numbers and sums that would lose precision', () => {
    expect(refusal(() => play('set', [{ score: 1.5, subscore: 0 }]))).toBe('invalid_score');
    expect(refusal(() => play('set', [{ score: Number.NaN, subscore: 0 }]))).toBe('invalid_score');
    expect(refusal(() => play('set', [{ score: 0, subscore: SCORE_LIMIT + 1 }]))).toBe('invalid_score');
    expect(refusal(() => play('incr', [{ score: SCORE_LIMIT, subscore: 0 }, { score: 1, subscore: 0 }]))).toBe('score_out_of_range');
    expect(play('set', [{ score: -SCORE_LIMIT, subscore: SCORE_LIMIT }])).toMatchObject({ score: -SCORE_LIMIT });
  });
});

describe('ranking', () => {
  const record = (playerId: string, score: number, subscore = 0, updatedAt = 1): RankedRecord => ({ playerId, score, subscore, updatedAt, attempts: 1 });

  it('orders by score, subscore, first to reach the value, then player id', () => {
    const records = [record('d', 10, 0, 5), record('c', 10, 0, 2), record('b', 10, 1, 9), record('a', 11), record('e', 10, 0, 2)];
    expect([...records].sort((x, y) => compareRecords(x, y, 'desc')).map((r) => r.playerId)).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect([...records].sort((x, y) => compareRecords(x, y, 'asc')).map((r) => r.playerId)).toEqual(['c', 'e', 'd', 'b', 'a']);
  });

  it('gives Redis sorted-set entries whose order is exactly the tie rule, negatives and extremes included', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = (values: number[]) => values[Math.floor(random() * values.length)]!;
    const values = [-SCORE_LIMIT, -1_000_000, -2, -1, 0, 1, 2, 3, 1_000_000, SCORE_LIMIT];
    const records = Array.from({ length: 400 }, (_, index) =>
      record(`p${String(index).padStart(4, '0')}`, pick(values), pick(values), pick([0, 1, 1_700_000_000_000, 4_102_444_800_000])),
    );
    for (const order of ['desc', 'asc'] as const) {
      const expected = [...records].sort((x, y) => compareRecords(x, y, order)).map((r) => r.playerId);
      const entries = records.map((r) => sortedSetEntry(r, order));
      // Redis: ascending score, then member compared as bytes.
      entries.sort((x, y) => x.score - y.score || (x.member < y.member ? -1 : x.member > y.member ? 1 : 0));
      expect(entries.map((entry) => playerOfMember(entry.member))).toEqual(expected);
    }
  });
});

describe('definitions', () => {
  const valid: LeaderboardDefinition = { id: 'weekly.kills', sortOrder: 'desc', operator: 'incr', resetSchedule: '0 0 * * 1', durationSeconds: 6 * 86_400, maxSize: 1000 };

  it('accepts a complete definition', () => {
    expect(validateDefinition(valid)).toBe(valid);
    expect(validateDefinition({ id: 'rating:arena', sortOrder: 'desc', operator: 'set' })).toBeTruthy();
  });

  it.each([
    [{ id: 'Bad Id' }, /id must be/],
    [{ sortOrder: 'up' as SortOrder }, /sort_order/],
    [{ operator: 'max' as ScoreOperator }, /operator/],
    [{ resetSchedule: 'every monday' }, /not a valid cron/],
    [{ resetSchedule: '0 0 0 * * 1' }, /five fields/],
    [{ durationSeconds: 0 }, /duration must be/],
    [{ resetSchedule: undefined }, /needs a reset_schedule/],
    [{ maxSize: 0 }, /max_size/],
  ])('refuses %o', (change, message) => {
    expect(() => validateDefinition({ ...valid, ...change })).toThrow(message);
  });
});

describe('periods', () => {
  const weekly = { resetSchedule: '0 0 * * 1' }; // Mondays 00:00 UTC
  const at = (iso: string) => new Date(iso);

  it('puts a time in the period started by the last fire, a fire exactly now starting the new one', () => {
    const period = periodAt(weekly, at('2026-12-03T09:00:00Z')); // a Thursday
    expect(period.start?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(period.end?.toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(period.id).toBe(Date.parse('2026-11-30T00:00:00Z') / 1000);
    expect(periodAt(weekly, at('2026-12-07T00:00:00Z')).start?.toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(periodAt(weekly, at('2026-12-06T23:59:59.999Z')).id).toBe(period.id);
  });

  it('has one period forever without a schedule', () => {
    expect(periodAt({}, at('2030-01-01T00:00:00Z'))).toMatchObject({ id: 0, end: undefined });
    expect(writablePeriod({}, at('2030-01-01T00:00:00Z')).id).toBe(0);
  });

  it('accepts writes only inside the duration window', () => {
    const daily2h = { resetSchedule: '0 18 * * *', durationSeconds: 2 * 3600 };
    expect(writablePeriod(daily2h, at('2026-12-03T19:59:59Z')).start?.toISOString()).toBe('2026-12-03T18:00:00.000Z');
    expect(refusal(() => writablePeriod(daily2h, at('2026-12-03T20:00:00Z')))).toBe('outside_window');
    expect(refusal(() => writablePeriod(daily2h, at('2026-12-04T17:59:59Z')))).toBe('outside_window');
    expect(writablePeriod(daily2h, at('2026-12-04T18:00:00Z')).id).toBe(Date.parse('2026-12-04T18:00:00Z') / 1000);
  });
});
