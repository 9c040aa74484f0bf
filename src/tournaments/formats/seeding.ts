/** Seed placement shared by the elimination formats. */
import { FormatError, type Entrant, type Slot } from './types.js';

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && (value & (value - 1)) === 0;
}

/**
 * The standard placement of seeds in a first round of `size` slots, read in pairs: seed s meets seed size+1−s, and
 * each half holds the seeds that keep the strongest apart, so seeds 1 and 2 can meet only in the final.
 * 8 → [1, 8, 4, 5, 2, 7, 3, 6].
 */
export function standardOrder(size: number): number[] {
  if (!isPowerOfTwo(size) || size < 2) {
    throw new FormatError('invalid_settings', `bracket size must be a power of two ≥ 2, got ${size}`);
  }
  let order = [1];
  for (let width = 2; width <= size; width *= 2) {
    order = order.flatMap((seed) => [seed, width + 1 - seed]);
  }
  return order;
}

/** The smallest power of two that holds `entrants`, at least 2. */
export function bracketSize(entrants: number): number {
  if (!Number.isInteger(entrants) || entrants < 0) {
    throw new FormatError('invalid_entrants', `entrant count must be a non-negative integer, got ${entrants}`);
  }
  let size = 2;
  while (size < entrants) size *= 2;
  return size;
}

/** Refuses fewer than `minimum` entrants, duplicate ids, and seeds that are not exactly 1..n. */
export function validateSeeds(entrants: readonly Entrant[], minimum = 2): void {
  if (entrants.length < minimum) {
    throw new FormatError('invalid_entrants', `need at least ${minimum} entrants, got ${entrants.length}`);
  }
  const ids = new Set<string>();
  const seeds = new Set<number>();
  for (const entrant of entrants) {
    if (ids.has(entrant.id)) throw new FormatError('invalid_entrants', `duplicate entrant id ${entrant.id}`);
    if (!Number.isInteger(entrant.seed) || entrant.seed < 1 || entrant.seed > entrants.length) {
      throw new FormatError('invalid_entrants', `seed ${entrant.seed} of ${entrant.id} is outside 1..${entrants.length}`);
    }
    if (seeds.has(entrant.seed)) throw new FormatError('invalid_entrants', `seed ${entrant.seed} is used twice`);
    ids.add(entrant.id);
    seeds.add(entrant.seed);
  }
}

/**
 * The first-round slots of a bracket, padded with byes to the next power of two. Missing seeds (n+1..size) are the
 * byes, so they face the top seeds and never each other.
 */
export function placeSeeds(entrants: readonly Entrant[]): Slot[] {
  validateSeeds(entrants);
  const bySeed = new Map(entrants.map((entrant) => [entrant.seed, entrant.id]));
  return standardOrder(bracketSize(entrants.length)).map((seed): Slot => {
    const entrantId = bySeed.get(seed);
    return entrantId === undefined ? { kind: 'bye' } : { kind: 'entrant', entrantId };
  });
}
