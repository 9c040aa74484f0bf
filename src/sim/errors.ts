/** `invalid_team`: a team missing or out of range in team mode, or a team given in free-for-all. */
export type SimErrorCode = 'max_entities' | 'invalid_team';

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
