/**
 * One HTTP request of the generator on a keep-alive agent, answered with its status and (the
 * start of) its body. Network errors and timeouts reject; any status resolves, the caller
 * decides what it means.
 */
import { request, type Agent } from 'node:http';

export interface HttpCall {
  host: string;
  port: number;
  agent: Agent;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Body bytes kept in the answer (default 300: enough for an error message). */
  keepBytes?: number;
}

export function httpCall(c: HttpCall): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers =
      c.body === undefined
        ? c.headers
        : {
            ...c.headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(c.body)),
          };
    const req = request(
      {
        host: c.host,
        port: c.port,
        path: c.path,
        method: c.method,
        agent: c.agent,
        timeout: c.timeoutMs,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const keep = c.keepBytes ?? 300;
          resolve({
            status: res.statusCode ?? 0,
            text: keep < text.length ? text.slice(0, keep) : text,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${c.method} ${c.path} timed out`)));
    req.on('error', reject);
    req.end(c.body);
  });
}
