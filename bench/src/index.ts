/** `@hubcast/bench`: the load generator, its peer targets and the report (`hubcast bench`). */
export { runBench } from './cli/run-bench.js';
export type * from './results.js';
