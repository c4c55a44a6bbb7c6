/** What the generator and the `polling` scenario's REST server (rest-target.ts) share. */

/** The environment variable holding this process's settings (JSON). */
export const REST_SETTINGS_ENV = 'HUBCAST_BENCH_REST';

export interface RestSettings {
  host: string;
  pgUrl: string;
  /** Connections in the pg pool: a typical app default. */
  poolSize: number;
}

/** Messages between the generator and this process. */
export type RestMessage =
  { type: 'ready'; port: number } | { type: 'failed'; message: string } | { type: 'stop' };

/** What `GET /stats` answers. */
export interface RestStats {
  requests: number;
  queries: number;
  errors: number;
  cpuMicros: number;
}
