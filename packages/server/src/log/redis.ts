/**
 * The cluster log on Redis (issue 11): each org's events in a stream with entry ids `<seq>-0`,
 * idempotency keys as plain keys with the retention TTL, and every append one Lua script that
 * also publishes the new events to the org's broker channel (log/redis-scripts.ts). N nodes
 * share it; none holds state the others need, so a client resumes on any of them.
 *
 * The epoch lives in Redis (`<prefix>:epoch`): a Redis that lost its data makes a new one, and
 * every script answers the current one, so cursors of the lost log stop placing (§1).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  AppendInput,
  AppendResult,
  BroadcastingLog,
  LogEvent,
  ReadRange,
  ReadResult,
} from './log.js';
import { decodeCursor, encodeCursor, OrgEpochs } from './cursor.js';
import { newEvent, serializeData } from './event.js';
import { PagePicker, scanWindow } from './read-page.js';
import { APPEND_SCRIPT, STATE_SCRIPT } from './redis-scripts.js';
import { decodeEventLine, encodeEventLine, encodeEventsHeader } from '../redis/event-line.js';
import type { RedisKeys } from '../redis/keys.js';
import { LuaScript, type LuaReply } from '../redis/lua-script.js';
import { redisFailure } from '../redis/errors.js';

export interface RedisLogOptions {
  /** A connection of its own: `close()` quits it. */
  redis: Redis;
  keys: RedisKeys;
  /** Named on every broker message of this node's appends. */
  nodeId: string;
  historySize: number;
  historyTtlSeconds: number;
  now?: () => number;
}

const appendScript = new LuaScript(APPEND_SCRIPT);
const stateScript = new LuaScript(STATE_SCRIPT);
/**
 * Entries fetched per XRANGE while a read scans its window: few at first, doubling up to the
 * cap. A page of large events stops after a handful (`maxBytes`); fetching 256 of 48 KB each for
 * it took 12 MB per call, and 20 resumes at once kept Redis and the node busy for seconds.
 */
const FIRST_SCAN_CHUNK = 16;
const MAX_SCAN_CHUNK = 256;

interface OrgState {
  head: number;
  first: number;
}

export class RedisEventLog implements BroadcastingLog {
  private epochs: OrgEpochs;
  private epoch: string;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly options: RedisLogOptions,
    epoch: string,
  ) {
    this.epoch = epoch;
    this.epochs = new OrgEpochs(epoch);
    this.now = options.now ?? Date.now;
  }

  /** Reads (or makes) the epoch, so cursors place from the first call on. */
  static async open(options: RedisLogOptions): Promise<RedisEventLog> {
    const { redis, keys } = options;
    try {
      await redis.set(keys.epoch, randomBytes(8).toString('hex'), 'NX');
      const epoch = await redis.get(keys.epoch);
      if (epoch === null) throw new Error('the epoch vanished while the log opened');
      return new RedisEventLog(options, epoch);
    } catch (err) {
      throw redisFailure('log', err);
    }
  }

  append(org: string, items: readonly AppendInput[]): Promise<AppendResult[]> {
    return this.appendAndBroadcast(org, items);
  }

  async appendAndBroadcast(
    org: string,
    items: readonly AppendInput[],
    skipSession?: string,
  ): Promise<AppendResult[]> {
    const json = serializeData(items);
    if (!Array.isArray(json)) throw json;
    const { keys, nodeId } = this.options;
    const nowMs = this.now();
    const scriptKeys = [keys.epoch, keys.seq(org), keys.stream(org), `${keys.prefix}:orgs`];
    const perItem: (string | number)[] = [];
    items.forEach((item, i) => {
      let keyIndex = 0;
      if (item.key !== undefined) {
        scriptKeys.push(keys.idempotency(org, item.key));
        keyIndex = scriptKeys.length;
      }
      perItem.push(keyIndex, encodeEventLine(item, nowMs, json[i] as string));
    });
    const header = encodeEventsHeader(
      skipSession === undefined ? { org, node: nodeId } : { org, node: nodeId, skipSession },
    );
    const reply = await this.run(appendScript, scriptKeys, [
      this.candidateEpoch(),
      this.cutoffMs(nowMs),
      this.options.historySize,
      Math.max(1, Math.ceil(this.options.historyTtlSeconds)),
      keys.shardChannel(org),
      header,
      org,
      items.length,
      ...perItem,
    ]);
    const orgEpoch = this.epochOf(reply[0], org);
    return items.map((item, i) => {
      const seq = Number(reply[1 + 2 * i]);
      const priorLine = reply[2 + 2 * i];
      if (typeof priorLine === 'string' && priorLine !== '')
        return { event: decodeEventLine(org, orgEpoch, seq, priorLine), duplicate: true };
      const event = newEvent(org, orgEpoch, seq, item, nowMs, json[i] as string);
      return { event, duplicate: false };
    });
  }

  async read(org: string, range: ReadRange): Promise<ReadResult> {
    const { head, first } = await this.state(org);
    const window = scanWindow(range, first, head);
    if (window === undefined) return { events: [], more: false };
    const orgEpoch = this.epochs.of(org);
    const stream = this.options.keys.stream(org);
    const picker = new PagePicker<LogEvent>(range, (e) => Buffer.byteLength(e.dataJson));
    const oldest = range.from === 'oldest';
    let lo = window.lo;
    let hi = window.hi;
    let chunk = FIRST_SCAN_CHUNK;
    scan: while (lo <= hi) {
      const count = chunk;
      chunk = Math.min(MAX_SCAN_CHUNK, chunk * 2);
      const entries = await this.command(() =>
        oldest
          ? this.options.redis.xrange(stream, `${lo}-0`, `${hi}-0`, 'COUNT', count)
          : this.options.redis.xrevrange(stream, `${hi}-0`, `${lo}-0`, 'COUNT', count),
      );
      if (entries.length === 0) break;
      for (const [id, fields] of entries) {
        const seq = Number.parseInt(id, 10);
        const event = decodeEventLine(org, orgEpoch, seq, fields[1] ?? '');
        if (!picker.offer(event)) break scan;
        if (oldest) lo = seq + 1;
        else hi = seq - 1;
      }
    }
    const { rows: events, ...rest } = picker.page(window);
    if (!oldest) events.reverse();
    return { events, ...rest };
  }

  async headSeq(org: string): Promise<number> {
    return (await this.state(org)).head;
  }

  async firstSeq(org: string): Promise<number> {
    return (await this.state(org)).first;
  }

  cursorOf(org: string, seq: number): string {
    return encodeCursor(this.epochs.of(org), seq);
  }

  async position(org: string, cursor: string): Promise<number | undefined> {
    // The state call also learns a new epoch, should Redis have lost its data since.
    const { head } = await this.state(org);
    const seq = decodeCursor(this.epochs.of(org), cursor);
    return seq !== undefined && seq <= head ? seq : undefined;
  }

  async check(): Promise<void> {
    await this.command(() => this.options.redis.ping());
  }

  /**
   * Applies age retention to every org, including those nobody writes to or reads any more
   * (the scripts trim an org only when they touch it). Runs on one node of the cluster at a
   * time, per `everyMs` (a lock that expires with the period); answers how many orgs it swept.
   */
  async sweep(everyMs: number): Promise<number> {
    const { redis, keys } = this.options;
    const mine = await this.command(() =>
      redis.set(`${keys.prefix}:sweeping`, '1', 'PX', Math.max(1, everyMs - 500), 'NX'),
    );
    if (mine === null) return 0;
    let cursor = '0';
    let swept = 0;
    do {
      const [next, orgs] = await this.command(() =>
        redis.sscan(`${keys.prefix}:orgs`, cursor, 'COUNT', 200),
      );
      cursor = next;
      for (const org of orgs) {
        await this.state(org);
        swept++;
      }
    } while (cursor !== '0');
    return swept;
  }

  /** Sweeps every `everyMs` until `close()`; a failed sweep waits for the next period. */
  startSweeping(everyMs: number): void {
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => void this.sweep(everyMs).catch(() => undefined), everyMs);
    this.sweeper.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.options.redis.quit().catch(() => this.options.redis.disconnect());
  }

  /** The events of a broker message, decoded with the org's epoch hash (redis/broker.ts). */
  eventsOf(org: string, epoch: string, firstSeq: number, lines: readonly string[]): LogEvent[] {
    const orgEpoch = this.epochOf(epoch, org);
    return lines.map((line, i) => decodeEventLine(org, orgEpoch, firstSeq + i, line));
  }

  private async state(org: string): Promise<OrgState> {
    const { keys } = this.options;
    const reply = await this.run(
      stateScript,
      [keys.epoch, keys.seq(org), keys.stream(org)],
      [this.candidateEpoch(), this.cutoffMs(this.now())],
    );
    this.epochOf(reply[0], org);
    return { head: Number(reply[1]), first: Number(reply[2]) };
  }

  /** The org's epoch hash under `epoch` as a script answered it, adopting a new one. */
  private epochOf(epoch: LuaReply | undefined, org: string): string {
    if (typeof epoch === 'string' && epoch !== this.epoch) {
      this.epoch = epoch;
      this.epochs = new OrgEpochs(epoch);
    }
    return this.epochs.of(org);
  }

  /** Offered as the epoch when Redis has none (it lost its data): a fresh random one. */
  private candidateEpoch(): string {
    return randomBytes(8).toString('hex');
  }

  private cutoffMs(nowMs: number): number {
    return nowMs - this.options.historyTtlSeconds * 1000;
  }

  private async run(
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<LuaReply[]> {
    const reply = await this.command(() => script.run(this.options.redis, keys, args));
    if (!Array.isArray(reply)) throw redisFailure('log', new Error('unexpected script reply'));
    return reply;
  }

  private async command<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw redisFailure('log', err);
    }
  }
}
