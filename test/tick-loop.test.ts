import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomManager, TickLoop } from '../src/rooms/index.js';

describe('the tick loop', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every slice once per tick interval, evenly spaced, and reports whole cycles', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const calls: [number, number][] = [];
    const cycles: number[] = [];
    const loop = new TickLoop(20, (slice) => calls.push([slice, performance.now()]), (seconds) => cycles.push(seconds), 4);
    loop.start();
    vi.advanceTimersByTime(100);
    loop.stop();
    expect(calls.map(([slice]) => slice)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    // Fake timers count whole milliseconds; the deadlines themselves are 12.5 ms apart and do not drift.
    expect(calls.map(([, at]) => at)).toEqual([12, 25, 37, 50, 62, 75, 87, 100]);
    expect(cycles).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(calls).toHaveLength(8);
  });

  it('slices ticks of 5 ms or more, at most 4 per tick', () => {
    expect(RoomManager.slicesFor(20)).toBe(4);
    expect(RoomManager.slicesFor(60)).toBe(3);
    expect(RoomManager.slicesFor(120)).toBe(1);
    expect(RoomManager.slicesFor(240)).toBe(1);
  });
});
