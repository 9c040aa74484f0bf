import { codedError, type ErrorCategory } from '../errors/index.js';

const CATEGORY = {
  /** A measurement that cannot be (negative, not a number, demand without replicas): the caller's mistake. */
  invalid_load: 'invalid',
  /** Bounds or thresholds that contradict each other; config validation catches these first. */
  invalid_policy: 'internal',
} as const satisfies Record<string, ErrorCategory>;

export type AutoscalingErrorCode = keyof typeof CATEGORY;

/** A scaling decision refused because its input is wrong; no state changes when this is thrown. */
export class AutoscalingError extends codedError('AutoscalingError', CATEGORY) {}
