/**
 * An engine (log, store, broker) that cannot answer right now: a locked or full database, a
 * server that went away. The API answers 503 with `reason`, /readyz prints it, and nothing
 * acknowledged is lost: the caller may retry (with the same idempotency key) once it is back.
 */
import { unavailable, type HubcastError } from '@hubcast/protocol';

export class EngineUnavailableError extends Error {
  constructor(
    /** Which part failed, as /readyz names it: `log`, `store`, `broker`. */
    readonly part: string,
    /** Why, fit for an operator: never a secret or a connection string. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${part} unavailable: ${reason}`, options);
    this.name = 'EngineUnavailableError';
  }
}

/** The wire error for a thrown value when it is an engine outage (503, `unavailable`). */
export function engineOutage(err: unknown): HubcastError | undefined {
  return err instanceof EngineUnavailableError ? unavailable(err.message) : undefined;
}
