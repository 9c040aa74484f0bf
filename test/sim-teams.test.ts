import { describe, expect, it } from 'vitest';
import {
  ArenaSimulation,
  balanceTeams,
  DEFAULT_ARENA_RULES,
  MatchPhase,
  type SimEvent,
  type SimSettings,
  type SnapshotState,
} from '../src/sim/index.js';
import { thrownCode } from './support/rooms.js';
import { COOLDOWN_TICKS, Controller, killTarget, MM, RESPAWN_TICKS, SHOTS_TO_KILL, TICK_RATE, aimAt, entity, settings, still } from './support/sim.js';

/** Each team's score in team order (index 0 = team 1). */
const teamScores = (sim: ArenaSimulation) => sim.teamResults().sort((a, b) => a.team - b.team).map((t) => t.score);

const SPAWN_EXTENT_MM = (DEFAULT_ARENA_RULES.arenaHalfSize - DEFAULT_ARENA_RULES.playerRadius) * MM;

function join(sim: ArenaSimulation, team?: number): Controller {
  return new Controller(sim, sim.addPlayer(team));
}

/** Walks the player to (x, z) in metres, slowing down on the last step so it stops exactly there. */
function walkTo(sim: ArenaSimulation, player: Controller, x: number, z: number): void {
  const metresPerTick = DEFAULT_ARENA_RULES.moveSpeed / TICK_RATE;
  for (let i = 0; i < 400; i++) {
    const here = entity(sim, player.id);
    const dx = x - here.x / MM;
    const dz = z - here.z / MM;
    const distance = Math.hypot(dx, dz);
    if (distance < 0.001) break;
    const scale = Math.min(1, distance / metresPerTick) / distance;
    player.send({ x: dx * scale, y: 0, z: dz * scale });
    sim.step();
  }
  player.send(still);
  sim.step();
  expect(entity(sim, player.id)).toMatchObject({ x: Math.round(x * MM), z: Math.round(z * MM) });
}

function waitForRespawn(sim: ArenaSimulation): void {
  for (let i = 0; i < RESPAWN_TICKS; i++) sim.step();
}


/**
 * Two teams, all on z = 0: the shooter (team 1) at x = -10, a teammate at x = -5 and an enemy (team 2) at
 * x = 5, so a shot from the shooter at the enemy crosses the teammate's hit sphere on the way.
 */
function lineOfFire(friendlyFire: boolean) {
  const sim = new ArenaSimulation(settings({ teamCount: 2, friendlyFire }));
  const shooter = join(sim, 1);
  const mate = join(sim, 1);
  const enemy = join(sim, 2);
  walkTo(sim, shooter, -10, 0);
  walkTo(sim, mate, -5, 0);
  walkTo(sim, enemy, 5, 0);
  return { sim, shooter, mate, enemy };
}

describe('team assignment', () => {
  it('keeps the team each player joined and reports 0 for unknown entities', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 3 }));
    const ids = [1, 2, 3, 1].map((team) => sim.addPlayer(team));
    expect(ids.map((id) => sim.teamOf(id))).toEqual([1, 2, 3, 1]);
    expect(sim.teamOf(99)).toBe(0);
    expect(sim.results().map((r) => [r.entity, r.team])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 1],
    ]);
  });

  it('refuses a missing or out-of-range team in team mode without using up an id', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 2 }));
    for (const team of [undefined, 0, 3, -1, 1.5, NaN]) {
      expect(thrownCode(() => sim.addPlayer(team)), `team ${team}`).toBe('invalid_team');
    }
    expect(sim.entityCount).toBe(0);
    expect(sim.addPlayer(2)).toBe(1);
  });

  it('takes no team in free-for-all: absent or 0, anything else is refused', () => {
    const sim = new ArenaSimulation(settings());
    expect(sim.teamOf(sim.addPlayer())).toBe(0);
    expect(sim.teamOf(sim.addPlayer(0))).toBe(0);
    expect(thrownCode(() => sim.addPlayer(1))).toBe('invalid_team');
    expect(teamScores(sim)).toEqual([]);
    expect(sim.teamResults()).toEqual([]);
    expect(sim.results().map((r) => r.team)).toEqual([0, 0]);
  });

  it('still enforces max_entities in team mode', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 2, maxEntities: 1 }));
    sim.addPlayer(1);
    expect(thrownCode(() => sim.addPlayer(2))).toBe('max_entities');
  });

  it('validates teamCount and friendlyFire', () => {
    for (const teamCount of [1, 9, -2, 2.5, NaN, Infinity]) {
      expect(() => new ArenaSimulation(settings({ teamCount })), `teamCount ${teamCount}`).toThrow(RangeError);
    }
    expect(() => new ArenaSimulation(settings({ teamCount: 1 }))).toThrow(/teamCount must be 0 \(free-for-all\) or an integer from 2 to 8/);
    for (const teamCount of [0, 2, 8]) expect(() => new ArenaSimulation(settings({ teamCount }))).not.toThrow();
    const untyped = { ...settings({ teamCount: 2 }), friendlyFire: 'false' } as unknown as SimSettings;
    expect(() => new ArenaSimulation(untyped)).toThrow(/friendlyFire must be a boolean/);
  });
});

describe('friendly fire off', () => {
  it('shoots through a teammate and hits the enemy behind', () => {
    const { sim, shooter, mate, enemy } = lineOfFire(false);
    shooter.send(still, ['shoot'], aimAt(sim, shooter.id, enemy.id));
    expect(sim.step()).toEqual([
      { type: 'hit', shooter: shooter.id, target: enemy.id, damage: DEFAULT_ARENA_RULES.weaponDamage },
    ]);
    expect(entity(sim, mate.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
  });

  it('never hits a teammate, even aimed straight at', () => {
    const { sim, shooter, mate } = lineOfFire(false);
    for (let i = 0; i < SHOTS_TO_KILL * COOLDOWN_TICKS + 1; i++) {
      shooter.send(still, ['shoot'], aimAt(sim, shooter.id, mate.id));
      expect(sim.step()).toEqual([]);
    }
    expect(entity(sim, mate.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
  });
});

describe('friendly fire on', () => {
  it('hits the nearest player in the line of fire, teammate or not', () => {
    const { sim, shooter, mate, enemy } = lineOfFire(true);
    shooter.send(still, ['shoot'], aimAt(sim, shooter.id, enemy.id));
    expect(sim.step()).toEqual([
      { type: 'hit', shooter: shooter.id, target: mate.id, damage: DEFAULT_ARENA_RULES.weaponDamage },
    ]);
    expect(entity(sim, enemy.id).health).toBe(DEFAULT_ARENA_RULES.maxHealth);
  });

  it('counts a team kill as the victim’s death but scores nothing for the killer or the team', () => {
    const { sim, shooter, mate } = lineOfFire(true);
    const events = killTarget(sim, shooter, mate.id);
    expect(events).toContainEqual({ type: 'kill', killer: shooter.id, victim: mate.id });
    expect(entity(sim, shooter.id)).toMatchObject({ score: 0, deaths: 0 });
    expect(entity(sim, mate.id)).toMatchObject({ score: 0, deaths: 1, alive: 0 });
    expect(teamScores(sim)).toEqual([0, 0]);
    expect(sim.teamResults()).toEqual([
      { team: 2, score: 0, deaths: 0 },
      { team: 1, score: 0, deaths: 1 },
    ]);
  });
});

describe('team score', () => {
  it('adds enemy kills to the team and ends the match when the team reaches the score limit', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 2, scoreLimit: 2 }));
    const first = join(sim, 1);
    const second = join(sim, 1);
    const enemy = join(sim, 2);

    expect(killTarget(sim, first, enemy.id).some((e) => e.type === 'match_end')).toBe(false);
    expect(teamScores(sim)).toEqual([1, 0]);
    waitForRespawn(sim);

    // Neither player reaches the limit alone: the team's total ends the match.
    const events = killTarget(sim, second, enemy.id);
    expect(events.filter((e) => e.type === 'match_end')).toEqual([{ type: 'match_end', reason: 'score_limit' }]);
    expect(sim.phase).toBe(MatchPhase.Finished);
    expect(teamScores(sim)).toEqual([2, 0]);
    expect(sim.results()).toEqual([
      { entity: first.id, team: 1, score: 1, deaths: 0 },
      { entity: second.id, team: 1, score: 1, deaths: 0 },
      { entity: enemy.id, team: 2, score: 0, deaths: 2 },
    ]);
    expect(sim.teamResults()).toEqual([
      { team: 1, score: 2, deaths: 0 },
      { team: 2, score: 0, deaths: 2 },
    ]);
  });

  it('keeps team totals when the players who earned them leave', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 2 }));
    const killer = join(sim, 1);
    const victim = join(sim, 2);
    killTarget(sim, killer, victim.id);
    sim.removePlayer(killer.id);
    sim.removePlayer(victim.id);
    expect(teamScores(sim)).toEqual([1, 0]);
    expect(sim.teamResults()).toEqual([
      { team: 1, score: 1, deaths: 0 },
      { team: 2, score: 0, deaths: 1 },
    ]);
  });

  it('sorts team results by score desc, then deaths asc, then team asc', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 4 }));
    const [one, two, three, four] = [1, 2, 3, 4].map((team) => join(sim, team));
    killTarget(sim, three!, one!.id);
    waitForRespawn(sim);
    killTarget(sim, two!, four!.id);
    expect(sim.teamResults().map((r) => r.team)).toEqual([2, 3, 1, 4]);
  });

  it('restarts with team scores cleared and every player on the same team', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 2, scoreLimit: 1 }));
    const players = [1, 2, 2, 1].map((team) => join(sim, team));
    killTarget(sim, players[0]!, players[1]!.id);
    expect(sim.phase).toBe(MatchPhase.Finished);

    sim.restart();
    expect(sim.phase).toBe(MatchPhase.Playing);
    expect(teamScores(sim)).toEqual([0, 0]);
    expect(sim.teamResults()).toEqual([
      { team: 1, score: 0, deaths: 0 },
      { team: 2, score: 0, deaths: 0 },
    ]);
    expect(players.map((p) => sim.teamOf(p.id))).toEqual([1, 2, 2, 1]);
    for (const p of players) {
      const state = entity(sim, p.id);
      expect(state).toMatchObject({ alive: 1, score: 0, deaths: 0 });
      expect(Math.sign(state.x)).toBe(sim.teamOf(p.id) === 1 ? -1 : 1);
    }
  });
});

describe('team spawns', () => {
  /** Each team's spawn x range in millimetres, from 16 players joined round-robin. */
  function spawnRanges(teamCount: number, seed = 42): { min: number; max: number }[] {
    const sim = new ArenaSimulation(settings({ teamCount, seed }));
    for (let i = 0; i < 16; i++) sim.addPlayer((i % teamCount) + 1);
    const ranges = Array.from({ length: teamCount }, () => ({ min: Infinity, max: -Infinity }));
    for (const e of sim.snapshot().entities) {
      const range = ranges[sim.teamOf(e.id) - 1]!;
      range.min = Math.min(range.min, e.x);
      range.max = Math.max(range.max, e.x);
      expect(Math.abs(e.z)).toBeLessThanOrEqual(SPAWN_EXTENT_MM);
    }
    return ranges;
  }

  it('puts each team in its own strip along x, ordered and at least half a strip from the next', () => {
    for (const teamCount of [2, 3, 5, 8]) {
      const halfStrip = SPAWN_EXTENT_MM / teamCount;
      const ranges = spawnRanges(teamCount);
      expect(ranges[0]!.min).toBeGreaterThanOrEqual(-SPAWN_EXTENT_MM);
      expect(ranges.at(-1)!.max).toBeLessThanOrEqual(SPAWN_EXTENT_MM);
      for (let team = 1; team < teamCount; team++) {
        expect(ranges[team]!.min - ranges[team - 1]!.max, `${teamCount} teams, team ${team + 1}`).toBeGreaterThanOrEqual(
          halfStrip,
        );
      }
    }
  });

  it('respawns a player in its own team’s strip', () => {
    const sim = new ArenaSimulation(settings({ teamCount: 2 }));
    const killer = join(sim, 1);
    const victim = join(sim, 2);
    walkTo(sim, victim, -15, 0);
    killTarget(sim, killer, victim.id);
    waitForRespawn(sim);
    expect(entity(sim, victim.id)).toMatchObject({ alive: 1 });
    expect(entity(sim, victim.id).x).toBeGreaterThan(0);
  });

  it('leaves free-for-all spawns as they were for a seed', () => {
    const sim = new ArenaSimulation(settings({ seed: 42 }));
    for (let i = 0; i < 3; i++) sim.addPlayer();
    expect(sim.snapshot().entities.map(({ id, x, z, yaw }) => ({ id, x, z, yaw }))).toEqual([
      { id: 1, x: 3963, z: -2027, yaw: -1098 },
      { id: 2, x: 13817, z: 6654, yaw: -2020 },
      { id: 3, x: -12747, z: 1042, yaw: 1652 },
    ]);
  });
});

describe('determinism', () => {
  interface Run {
    snapshots: SnapshotState[];
    events: SimEvent[][];
    teamScores: (readonly number[])[];
  }

  /** Six players on two or three teams shooting at random players, scripted independently of the sim's PRNG. */
  function scriptedRun(overrides: Partial<SimSettings>, ticks: number): Run {
    const sim = new ArenaSimulation(settings({ scoreLimit: 50, ...overrides }));
    const teamCount = overrides.teamCount ?? 0;
    const players = [0, 1, 2, 3, 4, 5].map((i) => join(sim, teamCount === 0 ? undefined : (i % teamCount) + 1));
    let state = 12345;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const run: Run = { snapshots: [], events: [], teamScores: [] };
    for (let t = 0; t < ticks; t++) {
      for (const player of players) {
        const target = players[Math.floor(next() * players.length)]!;
        const aim = target === player ? { x: next() - 0.5, y: 0, z: next() - 0.5 } : aimAt(sim, player.id, target.id);
        player.send({ x: next() * 2 - 1, y: 0, z: next() * 2 - 1 }, next() < 0.5 ? ['shoot'] : [], aim);
      }
      run.events.push([...sim.step()]);
      run.snapshots.push(sim.snapshot());
      run.teamScores.push(teamScores(sim));
    }
    return run;
  }

  it('gives identical snapshots, events and team scores for the same seed and calls', () => {
    for (const overrides of [{ teamCount: 2 }, { teamCount: 3, friendlyFire: true }]) {
      const first = scriptedRun(overrides, 400);
      const second = scriptedRun(overrides, 400);
      expect(second).toEqual(first);
      expect(first.events.flat().some((e) => e.type === 'kill')).toBe(true);
    }
  });

  it('plays free-for-all the same whether the team settings are absent or explicitly off', () => {
    expect(scriptedRun({ teamCount: 0, friendlyFire: false }, 300)).toEqual(scriptedRun({}, 300));
  });
});

describe('balanceTeams', () => {
  const player = (name: string, rating: number) => ({ name, rating });
  const names = (teams: { name: string }[][]) => teams.map((team) => team.map((p) => p.name));
  const ratingSum = (team: { rating: number }[]) => team.reduce((sum, p) => sum + p.rating, 0);

  it('assigns strongest first to the smallest, then weakest team', () => {
    const players = [player('f', 50), player('a', 100), player('c', 80), player('b', 90), player('e', 60), player('d', 70)];
    expect(names(balanceTeams(players, 2))).toEqual([
      ['a', 'd', 'e'],
      ['b', 'c', 'f'],
    ]);
  });

  it('keeps the input order for equal ratings and prefers the lowest team index on a tie', () => {
    const equal = ['a', 'b', 'c', 'd', 'e'].map((name) => player(name, 10));
    expect(names(balanceTeams(equal, 2))).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ]);
  });

  it('makes sizes differ by at most one and keeps every player exactly once', () => {
    const players = Array.from({ length: 23 }, (_, i) => player(`p${i}`, (i * 37) % 11));
    for (let teamCount = 2; teamCount <= 8; teamCount++) {
      const teams = balanceTeams(players, teamCount);
      expect(teams).toHaveLength(teamCount);
      const sizes = teams.map((team) => team.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(teams.flat().map((p) => p.name).sort()).toEqual(players.map((p) => p.name).sort());
    }
    expect(balanceTeams([player('solo', 1)], 3)).toEqual([[player('solo', 1)], [], []]);
  });

  it('keeps the rating sums within the spread of the ratings when the teams fill evenly', () => {
    const ratings = [1840, 1210, 1500, 990, 1725, 1333, 1600, 1450, 1100, 1980, 1275, 1390];
    const players = ratings.map((rating, i) => player(`p${i}`, rating));
    const spread = Math.max(...ratings) - Math.min(...ratings);
    for (const teamCount of [2, 3, 4, 6]) {
      const sums = balanceTeams(players, teamCount).map(ratingSum);
      expect(Math.max(...sums) - Math.min(...sums), `${teamCount} teams`).toBeLessThanOrEqual(spread);
    }
  });

  it('is deterministic and leaves its input untouched', () => {
    const players = [player('x', 3), player('y', 7), player('z', 7), player('w', 1)];
    const copy = [...players];
    expect(balanceTeams(players, 2)).toEqual(balanceTeams(players, 2));
    expect(players).toEqual(copy);
  });

  it('refuses a team count outside 2..8 and non-finite ratings', () => {
    for (const teamCount of [0, 1, 9, 2.5, NaN]) {
      expect(() => balanceTeams([], teamCount), `teamCount ${teamCount}`).toThrow(RangeError);
    }
    expect(() => balanceTeams([player('n', NaN)], 2)).toThrow(RangeError);
  });
});
