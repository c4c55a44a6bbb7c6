/**
 * The generator's handle on the `polling` scenario's REST server (rest-target.ts): fork it,
 * wait until it listens, read its counters and CPU, stop it. Killed with the generator
 * whatever the path out (reap-on-exit.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { reapOnExit } from './reap-on-exit.js';
import {
  REST_SETTINGS_ENV,
  type RestMessage,
  type RestSettings,
  type RestStats,
} from './rest-protocol.js';

const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;

export class RestProcess {
  private exited = false;

  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  static async start(settings: RestSettings): Promise<RestProcess> {
    const script = fileURLToPath(new URL('rest-target.js', import.meta.url));
    const child = fork(script, [], {
      env: { ...process.env, [REST_SETTINGS_ENV]: JSON.stringify(settings) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    reapOnExit(child);
    let timer: NodeJS.Timeout | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`REST server did not start within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
        child.on('message', (msg: RestMessage) => {
          if (msg.type === 'ready') resolve(msg.port);
          if (msg.type === 'failed') reject(new Error(`REST server: ${msg.message}`));
        });
        child.once('exit', (code, signal) =>
          reject(new Error(`REST server exited (${signal ?? code}) before it was ready`)),
        );
        child.once('error', reject);
      });
      return new RestProcess(settings.host, port, child);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
      child.removeAllListeners('message');
    }
  }

  /** Requests and queries served so far, and the process's CPU (µs). */
  stats(): Promise<RestStats> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.host, port: this.port, path: '/stats', agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(body) as RestStats);
            } catch {
              reject(new Error(`REST server /stats answered ${body.slice(0, 200)}`));
            }
          });
        },
      );
      req.once('error', reject);
      req.end();
    });
  }

  /** Asks the server to stop, and kills it if it has not exited after a short grace. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies RestMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }
}
