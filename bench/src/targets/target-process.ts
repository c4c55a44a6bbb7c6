/**
 * The parent's handle on one target child process: fork it with `--expose-gc` (so its memory
 * and CPU are its own, not the generator's), wait until it listens, ask for figures, stop it.
 * Hubcast with `serveWorkers` is the real `hubcast serve --workers N` (hubcast-serve.ts). Every
 * live child is also killed when this process exits, whatever the path out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nowMs } from '../loadgen/payload.js';
import type { TargetName } from '../results.js';
import {
  TARGET_SETTINGS_ENV,
  type ControlReply,
  type ControlRequest,
  type CpuFigures,
  type MeasuredReply,
  type TargetSettings,
} from './control.js';
import { serveLaunch, type Launch } from './hubcast-serve.js';
import { reapOnExit } from './reap-on-exit.js';

const SCRIPTS: Record<TargetName, string> = {
  hubcast: 'hubcast-target.js',
  ws: 'ws-target.js',
  socketio: 'socketio-target.js',
};

const START_TIMEOUT_MS = 20_000;
const REPLY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/** A SIGTERM'd target drains first (hubcast: up to its 30 s shutdown timeout). */
const SIGTERM_GRACE_MS = 40_000;

/** How `restart` ends the old process: a deploy (drain, then exit) or a crash. */
export type RestartSignal = 'SIGTERM' | 'SIGKILL';

function launchOf(name: TargetName, settings: TargetSettings): Launch {
  if (name === 'hubcast' && settings.serveWorkers !== undefined) return serveLaunch(settings);
  return {
    script: fileURLToPath(new URL(SCRIPTS[name], import.meta.url)),
    args: [],
    execArgv: [],
    env: {},
  };
}

export class TargetProcess {
  private waiting: {
    type: string;
    resolve: (r: ControlReply) => void;
    reject: (err: Error) => void;
  }[] = [];
  private exited = false;

  private constructor(
    readonly name: TargetName,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly settings: TargetSettings,
    private readonly cpuProfDir: string | undefined,
  ) {
    child.on('message', (raw: unknown) => {
      const reply = raw as ControlReply;
      const i = this.waiting.findIndex((w) => w.type === reply.type);
      if (i < 0) return;
      const [w] = this.waiting.splice(i, 1);
      w?.resolve(reply);
    });
    child.on('error', () => {}); // a failed send to a dying child shows up as its exit
    child.once('exit', (code, signal) => {
      this.exited = true;
      const err = new Error(`${name} target exited (${signal ?? code})`);
      for (const w of this.waiting.splice(0)) w.reject(err);
    });
  }

  /** Forks the target's script and resolves once it listens on 127.0.0.1. */
  static async start(
    name: TargetName,
    settings: TargetSettings,
    cpuProfDir?: string,
  ): Promise<TargetProcess> {
    const launch = launchOf(name, settings);
    // The profile is written when the target exits through stop(), not when it is killed.
    const profile = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
    const child = fork(launch.script, launch.args, {
      execArgv: ['--expose-gc', ...launch.execArgv, ...profile],
      env: { ...process.env, ...launch.env, [TARGET_SETTINGS_ENV]: JSON.stringify(settings) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    reapOnExit(child);
    let timer: NodeJS.Timeout | undefined;
    const onExit = (code: number | null, signal: string | null): void =>
      fail(new Error(`${name} target exited (${signal ?? code}) before it was ready`));
    let fail: (err: Error) => void = () => {};
    try {
      const port = await new Promise<number>((resolve, reject) => {
        fail = reject;
        timer = setTimeout(
          () => reject(new Error(`${name} target did not start within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
        child.on('message', (raw: unknown) => {
          const msg = raw as ControlReply;
          if (msg.type === 'ready') resolve(msg.port);
          if (msg.type === 'failed') reject(new Error(`${name} target: ${msg.message}`));
        });
        child.once('exit', onExit);
        child.once('error', reject);
      }).finally(() => {
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeListener('exit', onExit);
      });
      return new TargetProcess(name, port, child, settings, cpuProfDir);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** RSS and heap after two full GCs, and CPU so far. */
  async measure(): Promise<MeasuredReply> {
    return (await this.request({ type: 'measure' }, 'measured')) as MeasuredReply;
  }

  /** CPU used so far (user + system, µs), without disturbing the target. */
  async cpuMicros(): Promise<number> {
    return (await this.sample()).cpuMicros;
  }

  /** CPU used so far (µs) and RSS now, without GC: cheap enough to poll during a window. */
  async sample(): Promise<{ cpuMicros: number; rssBytes: number }> {
    const r = (await this.request({ type: 'cpu' }, 'cpu')) as CpuFigures & { rssBytes: number };
    return { cpuMicros: r.cpuUserMicros + r.cpuSystemMicros, rssBytes: r.rssBytes };
  }

  /** Asks the target to stop, and kills it if it has not exited after a short grace. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ControlRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }

  /**
   * Ends this process with `signal` and starts the same target again on the same port with the
   * same settings (for hubcast, the same data directory when the settings name one), as a
   * deploy or a crash and its supervisor would. Resolves with the new process once it listens,
   * and when the old one was gone (`nowMs`, the clock the generator's threads share).
   */
  async restart(signal: RestartSignal): Promise<{ next: TargetProcess; exitedAtMs: number }> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), SIGTERM_GRACE_MS);
      await gone;
      clearTimeout(timer);
    }
    const exitedAtMs = nowMs();
    const next = await TargetProcess.start(
      this.name,
      { ...this.settings, port: this.port },
      this.cpuProfDir,
    );
    return { next, exitedAtMs };
  }

  private request(msg: ControlRequest, replyType: string): Promise<ControlReply> {
    if (this.exited || !this.child.connected)
      return Promise.reject(new Error(`${this.name} target is not running`));
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        reject(new Error(`${this.name} target did not answer '${msg.type}'`));
      }, REPLY_TIMEOUT_MS);
      const entry = {
        type: replyType,
        resolve: (r: ControlReply) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiting.push(entry);
      this.child.send(msg);
    });
  }
}
