import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_PROTOBUF,
  closeActionFor,
} from './codes.js';
import type { CloseAction, ErrorCode } from './codes.js';
import {
  HubcastError,
  badRequest,
  conflict,
  forbidden,
  internalError,
  isHubcastError,
  limitExceeded,
  notFound,
  rateLimited,
  tooLarge,
  unauthorized,
  unavailable,
} from './errors.js';
import type { HubcastErrorOptions } from './errors.js';

describe('closeActionFor', () => {
  it.each<[code: number, action: CloseAction]>([
    // PROTOCOL.md §7, row by row
    [1000, 'reconnect'],
    [1001, 'reconnect'],
    [4000, 'reconnect_after_delay'],
    [4001, 'resume'],
    [4002, 'resume'],
    [4003, 'reconnect_slow'],
    [4500, 'stop'],
    [4501, 'refresh_token'],
    [4502, 'stop'],
    [4503, 'stop'],
    // codes outside the table are network trouble: plain reconnect
    [1006, 'reconnect'], // abnormal closure, no close frame
    [1011, 'reconnect'], // server error
    [1012, 'reconnect'], // service restart
    [1005, 'reconnect'], // no status received
    [4004, 'reconnect'], // unassigned hubcast code
    [4999, 'reconnect'],
    [0, 'reconnect'],
  ])('%i → %s', (code, action) => {
    expect(closeActionFor(code)).toBe(action);
  });
});

describe('CLOSE_CODES', () => {
  it('holds exactly the codes of PROTOCOL.md §7', () => {
    const codes = Object.values(CLOSE_CODES).map((c) => c.code);
    expect(codes.toSorted((a, b) => a - b)).toEqual([
      1000, 1001, 4000, 4001, 4002, 4003, 4500, 4501, 4502, 4503,
    ]);
  });

  it('is the source closeActionFor reads', () => {
    for (const { code, action } of Object.values(CLOSE_CODES)) {
      expect(closeActionFor(code)).toBe(action);
    }
  });
});

describe('ERROR_CODES and HTTP_STATUS_BY_CODE', () => {
  it('lists the codes of PROTOCOL.md §4 once each', () => {
    expect([...ERROR_CODES]).toEqual([
      'bad_request',
      'unauthorized',
      'forbidden',
      'not_found',
      'rate_limited',
      'limit_exceeded',
      'too_large',
      'conflict',
      'unavailable',
      'internal',
    ]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('maps every error code and nothing else', () => {
    expect(Object.keys(HTTP_STATUS_BY_CODE).toSorted()).toEqual([...ERROR_CODES].toSorted());
  });

  it.each<[code: ErrorCode, status: number]>([
    ['bad_request', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['too_large', 413],
    ['rate_limited', 429],
    ['limit_exceeded', 429],
    ['unavailable', 503],
    ['internal', 500], // not in §8's list, the only fitting status
  ])('%s → %i', (code, status) => {
    expect(HTTP_STATUS_BY_CODE[code]).toBe(status);
  });
});

describe('subprotocols', () => {
  it('are the names of PROTOCOL.md §3', () => {
    expect([SUBPROTOCOL_JSON, SUBPROTOCOL_PROTOBUF]).toEqual([
      'hubcast.v1.json',
      'hubcast.v1.protobuf',
    ]);
  });
});

describe('HubcastError', () => {
  it('carries code, message, closeCode, details and cause', () => {
    const cause = new Error('disk full');
    const err = new HubcastError('limit_exceeded', "too many subscriptions ('channel')", {
      cause,
      closeCode: 4003,
      details: { index: 2 },
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HubcastError');
    expect(err.code).toBe('limit_exceeded');
    expect(err.message).toBe("too many subscriptions ('channel')");
    expect(err.closeCode).toBe(4003);
    expect(err.details).toEqual({ index: 2 });
    expect(err.cause).toBe(cause);
    expect(err.httpStatus).toBe(429);
    expect(isHubcastError(err)).toBe(true);
  });

  it('leaves the options unset when none are given', () => {
    const err = new HubcastError('not_found', 'no such subscription');
    expect(err.closeCode).toBeUndefined();
    expect(err.details).toBeUndefined();
    expect('cause' in err).toBe(false);
    expect(err.httpStatus).toBe(404);
  });

  it('is told apart from other errors', () => {
    expect(isHubcastError(new Error('x'))).toBe(false);
    expect(isHubcastError({ code: 'bad_request', message: 'x' })).toBe(false);
    expect(isHubcastError(undefined)).toBe(false);
  });

  it.each<
    [helper: (message: string, options?: HubcastErrorOptions) => HubcastError, code: ErrorCode]
  >([
    [badRequest, 'bad_request'],
    [unauthorized, 'unauthorized'],
    [forbidden, 'forbidden'],
    [notFound, 'not_found'],
    [rateLimited, 'rate_limited'],
    [limitExceeded, 'limit_exceeded'],
    [tooLarge, 'too_large'],
    [conflict, 'conflict'],
    [unavailable, 'unavailable'],
    [internalError, 'internal'],
  ])('helper %# builds code %s', (helper, code) => {
    const err = helper('m', { closeCode: 4500, details: { field: 'x' } });
    expect(err).toBeInstanceOf(HubcastError);
    expect(err.code).toBe(code);
    expect(err.message).toBe('m');
    expect(err.closeCode).toBe(4500);
    expect(err.details).toEqual({ field: 'x' });
    expect(err.httpStatus).toBe(HTTP_STATUS_BY_CODE[code]);
  });
});
