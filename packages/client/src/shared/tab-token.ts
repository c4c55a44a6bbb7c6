/**
 * The token getter lives in the tabs: the hub's client asks a tab for a token when it connects,
 * refreshes or is told its token expired, and the tab answers from its own options.
 */
import { unavailable } from '@hubcast/protocol';
import { toWireError, type ToHub } from './messages.js';

export interface TokenSource {
  token: string | undefined;
  getToken: (() => string | Promise<string>) | undefined;
}

/** Answers the hub's token request `id`: `getToken()` when given (fresh each time), else `token`. */
export async function answerTokenRequest(
  tab: string,
  id: number,
  source: TokenSource,
  send: (message: ToHub) => void,
): Promise<void> {
  try {
    const value = source.getToken === undefined ? source.token : await source.getToken();
    if (typeof value !== 'string' || value === '') throw unavailable('no token');
    send({ t: 'token', tab, id, token: value });
  } catch (cause) {
    send({ t: 'token', tab, id, error: toWireError(cause) });
  }
}
