/**
 * Experiment statistics: judge a campaign, or any experiment with a holdout, from
 * member-level outcomes. Published as the package's `./stats` export; the campaign
 * evaluation calls the same function.
 */
export { evaluateExperiment, tryEvaluateExperiment, evaluateColumns, ExperimentInputError, EXPERIMENT_DEFAULTS, type ExperimentOptions } from './experiment.js';
export { toColumns, describeProblem, type ExperimentRow, type ExperimentColumns, type ExperimentInputProblem } from './columns.js';
export { parseExperimentCsv, parseAllocation } from './csv.js';
export {
  ExperimentResult,
  Comparison,
  type ExperimentDocument,
  type ComparisonResult,
  type ArmResult,
  type RunResult,
  type GroupSummary,
  type SrmResult,
  type IncrementsResult,
  type MethodResult,
} from './schema.js';
export { compareMeans, sequentialHalfWidth, type ArmSample, type MeanComparison } from './mean-diff.js';
export { capBounds, capValues, quantileSorted, type CapBounds } from './capping.js';
export { wilson, diffOfProportions, type Interval } from './proportions.js';
export { sampleRatio } from './srm.js';
export { normalCdf, normalQuantile, tCdf, tQuantile, chiSquareSf } from './distributions.js';
