export type SimErrorCode = 'max_entities';

/** A request the simulation refuses; `code` is stable for callers to map onto protocol errors. */
export class SimError extends Error {
  override name = 'SimError';
  constructor(
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
  }
}
