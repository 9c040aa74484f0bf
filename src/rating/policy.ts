import { DEFAULT_ELO_SETTINGS, type EloSettings } from './elo.js';
import { RatingError } from './errors.js';

export type RatingKind = 'elo' | 'openskill';

export const RATING_KINDS: readonly RatingKind[] = ['elo', 'openskill'];

/** Which rating system each game mode uses, plus the Elo settings. Plain data so it can come from config. */
export interface RatingPolicy {
  /** Kind for any mode without an override. */
  defaultKind: RatingKind;
  /** Per-mode overrides keyed by game mode name. */
  modes: Readonly<Record<string, RatingKind>>;
  elo: EloSettings;
}

/** Elo for any mode that names no kind of its own; the game-mode registry (src/games) fills `modes`. */
export const DEFAULT_RATING_POLICY: Readonly<RatingPolicy> = Object.freeze({
  defaultKind: 'elo',
  modes: Object.freeze({}),
  elo: DEFAULT_ELO_SETTINGS,
});

function isRatingKind(value: unknown): value is RatingKind {
  return RATING_KINDS.includes(value as RatingKind);
}

/** The kind a mode is rated with. Own properties only, so a mode named e.g. "constructor" cannot hit Object.prototype. */
export function ratingKindFor(gameMode: string, policy: RatingPolicy): RatingKind {
  const kind = Object.hasOwn(policy.modes, gameMode) ? policy.modes[gameMode] : policy.defaultKind;
  if (!isRatingKind(kind)) {
    throw new RatingError('invalid_policy', `rating kind for game mode "${gameMode}" must be one of: ${RATING_KINDS.join(', ')}`);
  }
  return kind;
}

/** Rejects Elo settings that would produce nonsense (negative or non-finite K, fractional game threshold). */
export function validateEloSettings(settings: EloSettings): void {
  for (const key of ['k', 'provisionalK'] as const) {
    const value = settings[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new RatingError('invalid_policy', `elo.${key} must be a finite number >= 0, got ${value}`);
    }
  }
  if (!Number.isInteger(settings.provisionalGames) || settings.provisionalGames < 0) {
    throw new RatingError('invalid_policy', `elo.provisionalGames must be an integer >= 0, got ${settings.provisionalGames}`);
  }
}
