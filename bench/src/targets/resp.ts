/**
 * Just enough RESP2 for the generator to ask its own `redis-server` for `PING` and `INFO`
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/): one command per fresh
 * connection, one reply read back. The targets talk to Redis through hubcast's own client;
 * the generator only reads counters, a few times per session, so no client library is needed.
 */
import { createConnection } from 'node:net';

/** A reply: simple and bulk strings, integers, null (`$-1`), or an error reply's text. */
export type RespValue = string | number | null | { error: string };

/** `*N\r\n$len\r\narg\r\n…`: a command as the server reads it. */
export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * One reply from the front of `buf`, or undefined while it is incomplete. Arrays are not
 * read: no command the generator sends answers one.
 */
export function parseReply(buf: Buffer): RespValue | undefined {
  const lineEnd = buf.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const line = buf.toString('utf8', 1, lineEnd);
  switch (String.fromCharCode(buf[0] ?? 0)) {
    case '+':
      return line;
    case '-':
      return { error: line };
    case ':':
      return Number(line);
    case '$': {
      const len = Number(line);
      if (len < 0) return null;
      const start = lineEnd + 2;
      if (buf.length < start + len + 2) return undefined;
      return buf.toString('utf8', start, start + len);
    }
    default:
      throw new Error(`unexpected RESP reply type '${buf.toString('latin1', 0, 1)}'`);
  }
}

/** Sends `args` to 127.0.0.1:`port` on a new connection and resolves with the reply. */
export function sendCommand(port: number, args: readonly string[]): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let reply: RespValue | undefined;
      try {
        reply = parseReply(buf);
      } catch (err) {
        socket.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (reply === undefined) return;
      socket.end();
      resolve(reply);
    });
    socket.once('close', () => reject(new Error('redis closed the connection before replying')));
    socket.write(encodeCommand(args));
  });
}
