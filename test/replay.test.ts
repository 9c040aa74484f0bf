import { describe, expect, it } from 'vitest';
import { GameModes, ReplayFormatError, settingsFor, ReplayWriter, readReplay, type Game, type GameSettings } from '../src/games/index.js';
import { SeededRandom } from '../src/sim/index.js';

const settings: GameSettings = { tickRate: 20, maxEntities: 16, scoreLimit: 5, timeLimitSeconds: 30, friendlyFire: false };
const modes = new GameModes();

/** Plays a match with seeded random inputs (joins, a leave, rejoins) until it ends; returns the game. */
function playRandomMatch(modeName: string, seed: number, inputSeed: number): Game {
  const mode = modes.get(modeName);
  const game = mode.create(settingsFor(mode, settings), seed);
  const random = new SeededRandom(inputSeed);
  const entities = [0, 1, 2, 3].map((i) => game.addPlayer({ key: `p${i}`, rating: 1000 + i * 100 }).entity);
  const sequences = new Map<number, number>();
  for (let tick = 0; tick < 30 * 20 && !game.finished; tick++) {
    if (tick === 100) {
      game.removePlayer(entities[3]!);
      entities[3] = game.addPlayer({ key: 'late' }).entity;
    }
    const positions = new Map(game.snapshot().entities.map((e) => [e.id, e]));
    for (const entity of entities) {
      const sequence = (sequences.get(entity) ?? 0) + 1;
      sequences.set(entity, sequence);
      // Aimed at a random player, roughly, so shots land now and then.
      const target = entities[Math.floor(random.next() * entities.length)]!;
      const from = positions.get(entity)!;
      const to = positions.get(target)!;
      const aim = { x: (to.x - from.x) / 1000 + random.between(-0.3, 0.3), y: -0.01, z: (to.z - from.z) / 1000 + random.between(-0.3, 0.3) };
      game.queueInput(entity, {
        sequence,
        movement: { x: random.between(-0.3, 0.3), y: 0, z: random.between(-0.3, 0.3) },
        actions: random.next() < 0.5 ? ['shoot'] : random.next() < 0.1 ? ['jump'] : [],
        aim: target === entity ? undefined : aim,
      });
      // A stale sequence is refused and leaves no trace in the record.
      game.queueInput(entity, { sequence: sequence - 1, movement: { x: 1, y: 0, z: 0 }, actions: ['shoot'] });
    }
    game.step();
  }
  return game;
}

describe('replays', () => {
  for (const modeName of ['deathmatch', 'team_deathmatch']) {
    it(`re-runs a recorded ${modeName} match to the same results`, () => {
      const game = playRandomMatch(modeName, 1234, 99);
      const record = game.replayLog();
      expect(record).toBeInstanceOf(Uint8Array);
      const outcome = game.results();
      expect(outcome.players.some((p) => p.score > 0)).toBe(true);
      expect(modes.replay(modeName, settings, game.seed, record!)).toEqual(outcome);
    });
  }

  it('replays a match that followed a restart from its own seed and record alone', () => {
    const game = playRandomMatch('team_deathmatch', 7, 8);
    game.restart(555);
    const random = new SeededRandom(3);
    for (let tick = 0; tick < 200; tick++) {
      for (const entity of game.snapshot().entities.map((e) => e.id)) {
        game.queueInput(entity, {
          sequence: 10_000 + tick,
          movement: { x: random.between(-1, 1), y: 0, z: random.between(-1, 1) },
          actions: ['shoot'],
          aim: { x: random.between(-1, 1), y: 0, z: random.between(-1, 1) },
        });
      }
      game.step();
    }
    expect(modes.replay('team_deathmatch', settings, 555, game.replayLog()!)).toEqual(game.results());
  });

  for (const modeName of ['deathmatch', 'team_deathmatch']) {
    it(`resumes a ${modeName} match mid-play from its record: same state, same record, same future`, () => {
      const mode = modes.get(modeName);
      const original = mode.create(settingsFor(mode, settings), 77);
      const random = new SeededRandom(11);
      const players = [0, 1, 2].map((i) => original.addPlayer({ key: `p${i}`, rating: 1100 + i * 50 }).entity);
      /** The same random inputs for every player of `game`, then one step. */
      const play = (game: Game, entities: readonly number[], tick: number, rng: SeededRandom) => {
        for (const entity of entities) {
          game.queueInput(entity, {
            sequence: tick + 1,
            movement: { x: rng.between(-1, 1), y: 0, z: rng.between(-1, 1) },
            actions: rng.next() < 0.4 ? ['shoot'] : [],
            aim: { x: rng.between(-1, 1), y: -0.05, z: rng.between(-1, 1) },
          });
        }
        game.step();
      };
      for (let tick = 0; tick < 150; tick++) play(original, players, tick, random);
      const ratings = new Map(players.map((entity, i) => [entity, 1100 + i * 50]));
      const { game: resumed, entities } = mode.resume(settingsFor(mode, settings), original.seed, original.replayLog()!, ratings);
      expect([...entities]).toEqual(players.map((entity) => [entity, entity]));
      expect(resumed.snapshot()).toEqual(original.snapshot());
      expect(resumed.replayLog()).toEqual(original.replayLog());
      // A player joining after the handover lands on the same team, and both games go on identically.
      expect(resumed.addPlayer({ key: 'late', rating: 1400 })).toEqual(original.addPlayer({ key: 'late', rating: 1400 }));
      const everyone = [...players, players.length];
      const [left, right] = [new SeededRandom(5), new SeededRandom(5)];
      for (let tick = 150; tick < 300; tick++) {
        play(original, everyone, tick, left);
        play(resumed, everyone, tick, right);
      }
      expect(resumed.snapshot()).toEqual(original.snapshot());
      expect(resumed.results()).toEqual(original.results());
    });
  }

  it('gives a different match for a different seed', () => {
    const a = playRandomMatch('deathmatch', 1, 5);
    const b = playRandomMatch('deathmatch', 2, 5);
    expect(a.snapshot()).not.toEqual(b.snapshot());
  });

  it('stops recording past its bound instead of growing without limit', () => {
    const writer = new ReplayWriter(64, 16);
    for (let i = 0; i < 10; i++) writer.input(1, i + 1, 0.5, 0.5, true, false, { x: 1, y: 0, z: 0 });
    expect(writer.finish()).toBeUndefined();
  });

  it('reads back what it wrote, including long runs of steps and large sequences', () => {
    const writer = new ReplayWriter(1024, 8);
    writer.join(3, 2);
    for (let i = 0; i < 300; i++) writer.step();
    writer.input(3, 2 ** 40, Math.fround(0.25), Math.fround(-1), false, true, undefined);
    writer.leave(3);
    expect([...readReplay(writer.finish()!)]).toEqual([
      { type: 'join', entity: 3, team: 2 },
      { type: 'steps', count: 300 },
      { type: 'input', entity: 3, sequence: 2 ** 40, moveX: 0.25, moveZ: -1, jump: false, shoot: true, aim: undefined },
      { type: 'leave', entity: 3 },
    ]);
  });

  it('refuses a truncated or foreign record with a clear error', () => {
    const writer = new ReplayWriter(1024);
    writer.input(1, 5, 0, 0, false, false, undefined);
    const record = writer.finish()!;
    expect(() => [...readReplay(record.subarray(0, record.length - 2))]).toThrow(ReplayFormatError);
    expect(() => [...readReplay(Uint8Array.of(99))]).toThrow(/unknown replay op 99/);
  });
});

describe('game modes', () => {
  it('lists deathmatch first (the default) and team_deathmatch, each with its rating kind', () => {
    expect(modes.names).toEqual(['deathmatch', 'team_deathmatch']);
    expect(modes.default.name).toBe('deathmatch');
    expect(modes.ratingKinds()).toEqual({ deathmatch: 'elo', team_deathmatch: 'openskill' });
  });

  it('refuses an unknown mode with unsupported_game_mode', () => {
    expect(() => modes.get('capture_the_flag')).toThrow(expect.objectContaining({ code: 'unsupported_game_mode', category: 'invalid' }));
  });

  it('balances planned teams by rating and fills unplanned joins into the emptier team', () => {
    const game = modes.get('team_deathmatch').create(settings, 1);
    game.planTeams([
      { key: 'a', rating: 2000 },
      { key: 'b', rating: 1900 },
      { key: 'c', rating: 1100 },
      { key: 'd', rating: 1000 },
    ]);
    const team = (key: string) => game.addPlayer({ key }).team;
    const teams = { a: team('a'), b: team('b'), c: team('c'), d: team('d') };
    expect(teams.a).not.toBe(teams.b);
    expect(teams.a).toBe(teams.d);
    expect(teams.b).toBe(teams.c);
    expect(game.addPlayer({ key: 'e' }).team).toBeGreaterThan(0);
  });

  it('ranks team players by their team', () => {
    const game = playRandomMatch('team_deathmatch', 1234, 99);
    const { players, teams } = game.results();
    expect(teams).toHaveLength(2);
    for (const player of players) expect(player.rank).toBe(teams!.find((t) => t.team === player.team)!.rank);
  });
});
