/**
 * An engine (log, store, broker) that cannot answer right now: a locked or full database, a
 * server that went away. The API answers 503 with `reason`, /readyz answers `code`, and nothing
 * acknowledged is lost: the caller may retry (with the same idempotency key) once it is back.
 */
import { unavailable, type HubcastError } from '@hubcast/protocol';
import { engineReasonOf, type EngineReason } from './engine-reason.js';

export class EngineUnavailableError extends Error {
  /** Why, as a stable code (/readyz): from the driver's error, unless the engine says. */
  readonly code: EngineReason;

  constructor(
    /** Which part failed, as /readyz names it: `log`, `store`, `broker`. */
    readonly part: string,
    /** Why, fit for an operator: never a secret or a connection string. */
    readonly reason: string,
    options?: { cause?: unknown; code?: EngineReason },
  ) {
    super(
      `${part} unavailable: ${reason}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'EngineUnavailableError';
    this.code = options?.code ?? engineReasonOf(options?.cause);
  }
}

/**
 * The wire error for a thrown value when it is an engine outage (503, `unavailable`). It names
 * the part and its reason code, never the driver's words: those may hold a host, a path or
 * SQL, and go to the operator's log (/readyz's probe) instead of to every client.
 */
export function engineOutage(err: unknown): HubcastError | undefined {
  return err instanceof EngineUnavailableError
    ? unavailable(`${err.part} unavailable (${err.code})`)
    : undefined;
}
