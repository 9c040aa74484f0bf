/**
 * Positions 0..n-1 of a sorted array, some removed, with amortised near-O(1) "nearest remaining position" in
 * either direction (union-find with path compression), so sweeps skip matched tickets without rescanning them.
 */
export class FreeList {
  /** right[i] leads to the first free position >= i; slot n is a sentinel that is never removed. */
  private readonly right: Int32Array;
  /** left[i + 1] leads to (the first free position <= i) + 1; slot 0 is the sentinel for -1. */
  private readonly left: Int32Array;

  constructor(readonly size: number) {
    this.right = new Int32Array(size + 1);
    this.left = new Int32Array(size + 1);
    for (let i = 0; i <= size; i++) {
      this.right[i] = i;
      this.left[i] = i;
    }
  }

  isFree(position: number): boolean {
    return this.right[position] === position;
  }

  remove(position: number): void {
    this.right[position] = position + 1;
    this.left[position + 1] = position;
  }

  /** The first free position >= `from`, or `size` when none. */
  next(from: number): number {
    return root(this.right, Math.max(0, Math.min(from, this.size)));
  }

  /** The last free position <= `from`, or -1 when none. */
  previous(from: number): number {
    return root(this.left, Math.max(0, Math.min(from + 1, this.size))) - 1;
  }
}

function root(parent: Int32Array, start: number): number {
  let top = start;
  while (parent[top] !== top) top = parent[top]!;
  let node = start;
  while (node !== top) {
    const up = parent[node]!;
    parent[node] = top;
    node = up;
  }
  return top;
}
