/**
 * How the parent launches hubcast as `hubcast serve --workers N --engine redis` (the `workers`
 * scenario, issue 11): the real CLI, with serve-control.ts loaded into it (`--import`) to speak
 * the bench's control contract. The settings become flags, as an operator would write them;
 * the secrets go in `HUBCAST_*` variables instead, where `ps` does not show them.
 */
import { fileURLToPath } from 'node:url';
import type { TargetSettings } from './control.js';

export interface Launch {
  script: string;
  args: string[];
  /** Node flags of the target process (cluster workers inherit them). */
  execArgv: string[];
  env: Record<string, string>;
}

/** `hubcast serve --workers N …` for `settings` (which must name `redisUrl`). */
export function serveLaunch(settings: TargetSettings): Launch {
  if (settings.redisUrl === undefined) throw new Error('hubcast serve --workers needs redisUrl');
  const bin = new URL('../bin/hubcast.js', import.meta.resolve('@hubcast/server'));
  const flags: Record<string, string | number> = {
    workers: settings.serveWorkers ?? 1,
    engine: 'redis',
    store: 'memory',
    host: settings.host,
    port: settings.port ?? 0,
    'log-level': 'warn',
    // As in hubcast-target.ts: one user per connection, no command budget to trip.
    'max-connections-per-user': 1_000_000,
    'rate-limit': 1_000_000,
    'rate-burst': 1_000_000,
    'history-size': settings.historySize ?? 1_000_000,
  };
  const env: Record<string, string> = { HUBCAST_REDIS_URL: settings.redisUrl };
  if (settings.jwtSecret !== undefined) env['HUBCAST_JWT_SECRET'] = settings.jwtSecret;
  if (settings.apiKey !== undefined) env['HUBCAST_API_KEY'] = settings.apiKey;
  return {
    script: fileURLToPath(bin),
    args: ['serve', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])],
    execArgv: ['--import', new URL('./serve-control.js', import.meta.url).href],
    env,
  };
}
