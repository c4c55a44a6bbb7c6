import { createElement as h } from 'react';
import WebSocket from 'ws';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HubcastClient, isHubcastError } from '@hubcast/client';
import { HubcastProvider, useHubcast } from './context.js';

function ShowState(): string {
  return useHubcast().state;
}

describe('HubcastProvider', () => {
  it('gives its connection to the hooks below it', () => {
    const client = new HubcastClient({ url: 'ws://127.0.0.1:1/ws', token: 't', WebSocket });
    const html = renderToString(h(HubcastProvider, { connection: client }, h(ShowState)));
    expect(html).toBe('disconnected');
  });

  it('answers bad_request to a hook outside any provider', () => {
    let caught: unknown;
    try {
      renderToString(h(ShowState));
    } catch (error) {
      caught = error;
    }
    expect(isHubcastError(caught) && caught.code).toBe('bad_request');
    expect((caught as Error).message).toMatch(/HubcastProvider/);
  });
});
