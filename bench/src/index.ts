export type * from './results.js';
