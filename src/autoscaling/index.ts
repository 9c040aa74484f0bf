export {
  INITIAL_STATE,
  decide,
  loadOf,
  targetUtilization,
  type AutoscalingPolicy,
  type Decision,
  type Load,
  type LowStretch,
  type ScalingReason,
  type ScalingState,
} from './decide.js';
export { DirectoryLoad, LocalLoad, processUtilization, type LoadSource, type ProcessCapacity } from './load-source.js';
export { Autoscaler, type FleetCount } from './autoscaler.js';
export { AutoscalingError, type AutoscalingErrorCode } from './errors.js';
