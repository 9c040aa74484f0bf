/** A placement's result against the rest of the field, for systems that count wins and losses (league points). */
export type FieldOutcome = 'win' | 'draw' | 'loss';

/**
 * A win when the placement beat more of the other placements than beat it, a loss when fewer, a draw when as
 * many. In 1v1 and team-vs-team that is the plain result (a shared rank is a draw); in free-for-all it splits
 * the field at its middle, the middle rank of an odd field drawing.
 */
export function fieldOutcome(rank: number, ranks: readonly number[]): FieldOutcome {
  let beaten = 0;
  let beatenBy = 0;
  for (const other of ranks) {
    if (other > rank) beaten++;
    else if (other < rank) beatenBy++;
  }
  return beaten > beatenBy ? 'win' : beaten < beatenBy ? 'loss' : 'draw';
}
