/** One mapper from error to HTTP answer (STYLE rule 9): status and body come from the code. */
import type { ServerResponse } from 'node:http';
import { HubcastError, isHubcastError } from '@hubcast/protocol';
import { engineOutage } from '../engine-error.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, status?: number): void {
  const e = isHubcastError(err)
    ? err
    : (engineOutage(err) ?? new HubcastError('internal', 'internal error'));
  // A quota refusal says when to come back, in the body and as HTTP clients expect it.
  const retryAfter = e.details?.['retry_after'];
  if (typeof retryAfter === 'number') res.setHeader('retry-after', String(Math.ceil(retryAfter)));
  sendJson(res, status ?? e.httpStatus, {
    error: { code: e.code, message: e.message, ...e.details },
  });
}
