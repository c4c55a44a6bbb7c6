/**
 * The peers' publish endpoint: `POST /publish` with `{channel, data}` or an array of them (an
 * array is several publishes inside one flush window, M4). Hubcast takes its own
 * `POST /api/publish` instead, so its real HTTP path is what gets measured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface PublishItem {
  channel: string;
  data: unknown;
}

/** Serves `POST /publish`, calling `fanOut` per item in order; other requests get 404. */
export function publishHandler(
  fanOut: (item: PublishItem) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/publish') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let items: PublishItem[];
      try {
        items = parseItems(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
        return;
      }
      for (const item of items) fanOut(item);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  };
}

export function parseItems(text: string): PublishItem[] {
  const body = JSON.parse(text) as unknown;
  const list = Array.isArray(body) ? (body as unknown[]) : [body];
  return list.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw new Error(`item ${i} is not an object`);
    const channel = (raw as { channel?: unknown }).channel;
    if (typeof channel !== 'string') throw new Error(`item ${i} has no string 'channel'`);
    return { channel, data: (raw as { data?: unknown }).data };
  });
}
