/**
 * `/readyz` (PROTOCOL.md §8): can each engine answer now? The answer names a stable reason code
 * per engine (engine-reason.ts), never a driver's words, which may hold paths, host names or
 * SQL; those go to the node's log, once per change of reason rather than once per probe (a
 * load balancer probes every few seconds).
 */
import type { Logger } from 'pino';
import { EngineUnavailableError } from './engine-error.js';
import type { EngineReason } from './engine-reason.js';

export interface Readiness {
  status: string;
  /** Why not ready, per engine (`log`, `store`, ...). */
  reasons?: Record<string, EngineReason>;
}

export class EngineProbe {
  /** The reason each engine last failed with; absent while it answers. */
  private readonly last = new Map<string, EngineReason>();

  constructor(private readonly logger: Logger) {}

  /** Runs every check at once; `checks` maps an engine's name to its check. */
  async check(checks: Readonly<Record<string, () => Promise<void>>>): Promise<Readiness> {
    const engines = Object.keys(checks);
    // async: a check that throws before its promise (an engine not open) counts as failed too.
    const results = await Promise.allSettled(
      engines.map(async (engine) => (checks[engine] as () => Promise<void>)()),
    );
    const reasons: Record<string, EngineReason> = {};
    results.forEach((result, i) => {
      const engine = engines[i] as string;
      if (result.status === 'fulfilled') {
        if (this.last.delete(engine)) this.logger.info({ engine }, 'engine ready again');
        return;
      }
      const err: unknown = result.reason;
      const reason = err instanceof EngineUnavailableError ? err.code : 'error';
      reasons[engine] = reason;
      if (this.last.get(engine) === reason) return;
      this.last.set(engine, reason);
      this.logger.warn({ engine, reason, err }, 'engine not ready');
    });
    return Object.keys(reasons).length === 0
      ? { status: 'ready' }
      : { status: 'unavailable', reasons };
  }
}
