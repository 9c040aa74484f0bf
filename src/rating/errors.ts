export type RatingErrorCode = 'invalid_outcome' | 'invalid_policy';

/** A match outcome or policy the rating module refuses; nothing is rated when this is thrown. */
export class RatingError extends Error {
  override name = 'RatingError';
  constructor(
    readonly code: RatingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
