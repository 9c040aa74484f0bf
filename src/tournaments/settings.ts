import type { StageSettings, TournamentSettings } from '../api/tournaments.js';
import { TournamentError } from './errors.js';
import { DEFAULT_POINTS, type PointsTable } from './formats/types.js';
import { DEFAULT_TIE_BREAKS, type TieBreak } from './formats/standings.js';

export const DEFAULTS = {
  minEntrants: 2,
  maxEntrants: 64,
  bestOf: 1,
  noShowSeconds: 300,
} as const;

const isElimination = (stage: StageSettings) => stage.format === 'single_elimination' || stage.format === 'double_elimination';

/** Draws stand only where standings can score them; an elimination series goes on until somebody wins it. */
export const allowsDraws = (stage: StageSettings) => !isElimination(stage);

const invalid = (message: string) => new TournamentError('invalid_tournament', message);

const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/**
 * Checks what the schema cannot (stage combinations, windows in order, odd best-of) and fills every default, so
 * the settings stored with the tournament say everything it is played by.
 */
export function normalizeSettings(settings: TournamentSettings, gameModes: { default: string; has(name: string): boolean }): TournamentSettings {
  const gameMode = settings.game_mode ?? gameModes.default;
  if (!gameModes.has(gameMode)) throw invalid(`unknown game_mode ${gameMode}`);
  const stages = settings.stages.map(normalizeStage);
  const [first, second] = stages;
  if (second === undefined && first && 'advance' in first && first.advance !== undefined) {
    throw invalid('`advance` only makes sense with a second stage');
  }
  if (second !== undefined) {
    if (!first || isElimination(first) || !('advance' in first) || first.advance === undefined) {
      throw invalid('a two-stage tournament starts with round-robin or Swiss groups that have `advance`');
    }
    if (!isElimination(second)) throw invalid('the second stage must be single or double elimination');
    const groups = first.format === 'round_robin' ? (first.groups ?? 1) : 1;
    if (groups * first.advance < 2) throw invalid('the groups must send at least two entrants on to the second stage');
  }
  const minEntrants = settings.min_entrants ?? DEFAULTS.minEntrants;
  const maxEntrants = settings.max_entrants ?? DEFAULTS.maxEntrants;
  if (minEntrants > maxEntrants) throw invalid('min_entrants must not exceed max_entrants');
  const bestOfs = [settings.best_of ?? DEFAULTS.bestOf, ...(settings.best_of_overrides ?? []).map((o) => o.best_of)];
  if (bestOfs.some((n) => n % 2 === 0)) throw invalid('best_of must be odd (1, 3, 5, …) so that a series always has a winner');
  inOrder(settings.registration_opens_at, settings.registration_closes_at, 'registration_opens_at', 'registration_closes_at');
  inOrder(settings.check_in_opens_at, settings.check_in_closes_at, 'check_in_opens_at', 'check_in_closes_at');
  inOrder(settings.check_in_opens_at, settings.starts_at, 'check_in_opens_at', 'starts_at');
  inOrder(settings.check_in_closes_at, settings.starts_at, 'check_in_closes_at', 'starts_at');
  if (settings.check_in_closes_at !== undefined && settings.check_in_opens_at === undefined) {
    throw invalid('check_in_closes_at needs check_in_opens_at');
  }
  if (settings.seeding === 'manual' && settings.starts_at !== undefined) {
    throw invalid('manual seeding needs an organizer to start the tournament with its seeds, so it cannot have starts_at');
  }
  return {
    ...settings,
    game_mode: gameMode,
    stages,
    min_entrants: minEntrants,
    max_entrants: maxEntrants,
    best_of: settings.best_of ?? DEFAULTS.bestOf,
    no_show_seconds: settings.no_show_seconds ?? DEFAULTS.noShowSeconds,
    seeding: settings.seeding ?? 'rating',
    points: settings.points ?? { ...DEFAULT_POINTS },
    tie_breaks: settings.tie_breaks ?? [...DEFAULT_TIE_BREAKS],
  };
}

function normalizeStage(stage: StageSettings): StageSettings {
  switch (stage.format) {
    case 'single_elimination':
      return { format: stage.format, third_place: stage.third_place ?? false };
    case 'double_elimination':
      return { format: stage.format, grand_final: stage.grand_final ?? 'double' };
    case 'round_robin':
      return { ...stage, cycles: stage.cycles ?? 1, groups: stage.groups ?? 1 };
    case 'swiss': {
      const thresholds = stage.wins_to_advance !== undefined || stage.losses_to_eliminate !== undefined;
      if (thresholds && (stage.wins_to_advance === undefined || stage.losses_to_eliminate === undefined)) {
        throw invalid('Swiss thresholds need both wins_to_advance and losses_to_eliminate');
      }
      if (thresholds && stage.rounds !== undefined) throw invalid('a Swiss stage has either `rounds` or thresholds, not both');
      return stage;
    }
  }
}

function inOrder(first: string | undefined, second: string | undefined, firstName: string, secondName: string): void {
  const a = time(first);
  const b = time(second);
  if (a !== undefined && b !== undefined && a > b) throw invalid(`${firstName} must not be after ${secondName}`);
}

/** Games in the series of a match: the last override that matches it, else `best_of`. */
export function bestOfFor(settings: TournamentSettings, stage: number, match: { bracket: string; round: number }): number {
  let bestOf = settings.best_of ?? DEFAULTS.bestOf;
  for (const override of settings.best_of_overrides ?? []) {
    if (override.stage !== undefined && override.stage !== stage) continue;
    if (override.bracket !== undefined && override.bracket !== match.bracket) continue;
    if (override.from_round !== undefined && match.round < override.from_round) continue;
    bestOf = override.best_of;
  }
  return bestOf;
}

export const pointsOf = (settings: TournamentSettings): PointsTable => settings.points ?? DEFAULT_POINTS;
export const tieBreaksOf = (settings: TournamentSettings): readonly TieBreak[] => settings.tie_breaks ?? DEFAULT_TIE_BREAKS;
export const checkInRequired = (settings: TournamentSettings) => settings.check_in_opens_at !== undefined;
export const instant = time;
