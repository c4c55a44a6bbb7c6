import { HTTP_STATUS_BY_CODE, type ErrorCode } from './codes.js';

export interface HubcastErrorOptions {
  cause?: unknown;
  /** Close the connection with this code after replying. */
  closeCode?: number;
  /** Extra fields for the wire error object, e.g. `{ index: 2 }` for an array item. */
  details?: Record<string, unknown>;
}

/**
 * The one error type of hubcast: a stable `code` from docs/protocol.md §4 and a message that names
 * the bad field but never echoes a secret.
 */
export class HubcastError extends Error {
  readonly code: ErrorCode;
  readonly closeCode: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: HubcastErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubcastError';
    this.code = code;
    this.closeCode = options.closeCode;
    this.details = options.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}

export const badRequest = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('bad_request', message, options);
export const unauthorized = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('unauthorized', message, options);
export const forbidden = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('forbidden', message, options);
export const notFound = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('not_found', message, options);
export const rateLimited = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('rate_limited', message, options);
export const limitExceeded = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('limit_exceeded', message, options);
export const tooLarge = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('too_large', message, options);
export const conflict = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('conflict', message, options);
export const unavailable = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('unavailable', message, options);
export const internalError = (message: string, options?: HubcastErrorOptions): HubcastError =>
  new HubcastError('internal', message, options);

export function isHubcastError(err: unknown): err is HubcastError {
  return err instanceof HubcastError;
}
