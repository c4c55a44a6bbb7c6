/**
 * Hands each org's events to fan-out in log order, each once per node (PROTOCOL.md §2.1),
 * whatever the broker did on the way. Redis pub/sub is at-most-once: a node that lost its
 * subscriber connection, or was cut off for a full output buffer, misses messages. So the node
 * remembers, per org, the last seq it delivered; a message that starts past the next seq shows
 * a gap, and the node reads the missing events from the log before it delivers anything newer
 * (issue 11). While a gap fills, newer messages only raise the fill's target: the log holds
 * them too, so nothing is queued in memory, however long the outage.
 *
 * With the embedded engine every message arrives in order and this only compares two numbers.
 */
import type { Logger } from 'pino';
import type { EventLog, LogEvent } from '../log/log.js';

export interface LogOrderDeps {
  log(): EventLog;
  /** Fan-out of events of one org, consecutive and in log order. */
  deliver(events: readonly LogEvent[], skipSession: string | undefined): void;
  /**
   * Events of `org` left retention before this node could deliver them: its live connections
   * of that org must resume (4001), or they would silently miss them (§2.5).
   */
  dropped(org: string): void;
  /** Counts events a fill read from the log (the broker lost them). */
  filled(count: number): void;
  logger: Logger;
  /** Wait between attempts while the log cannot be read. */
  retryMs?: number;
}

interface OrgProgress {
  /** Every event up to this seq was delivered (or owed to nobody here). */
  last: number;
  /** The newest seq known to exist, while a fill runs. */
  target: number;
  filling: boolean;
}

/** Events read per fill step. */
const FILL_PAGE = 1000;

export class LogOrder {
  private readonly orgs = new Map<string, OrgProgress>();
  /** Bumped by `close()`: fills of an earlier generation stop (a node may start again). */
  private generation = 0;

  constructor(private readonly deps: LogOrderDeps) {}

  /** One broker message: events of one org with consecutive seqs, oldest first. */
  accept(events: readonly LogEvent[], skipSession: string | undefined): void {
    const first = events[0];
    const newest = events[events.length - 1];
    if (first === undefined || newest === undefined) return;
    let org = this.orgs.get(first.org);
    if (org === undefined) {
      // The org's first message here: no connection of this node went live before it
      // (`noteHead` would have said so), so nothing earlier is owed to anyone.
      org = { last: first.seq - 1, target: 0, filling: false };
      this.orgs.set(first.org, org);
    }
    if (org.filling) {
      org.target = Math.max(org.target, newest.seq);
      return;
    }
    if (newest.seq <= org.last) return;
    if (first.seq > org.last + 1) {
      org.target = newest.seq;
      this.fill(first.org, org);
      return;
    }
    const fresh = first.seq > org.last ? events : events.filter((e) => e.seq > org.last);
    org.last = newest.seq;
    this.deps.deliver(fresh, skipSession);
  }

  /**
   * A connection of `org` went live at `headSeq` (the head it read): from now on this node owes
   * it every later event. Only the org's first such note counts; later ones lie behind what the
   * node has already delivered or is about to receive.
   */
  noteHead(org: string, headSeq: number): void {
    if (!this.orgs.has(org)) this.orgs.set(org, { last: headSeq, target: headSeq, filling: false });
  }

  /** The broker may have dropped messages: reads every known org's head and fills the gaps. */
  async resync(): Promise<void> {
    for (const [name, org] of this.orgs) {
      let head: number;
      try {
        head = await this.deps.log().headSeq(name);
      } catch (err) {
        // The log is down too; the next message of the org shows the gap, or the next resync.
        this.deps.logger.warn({ err, org: name }, 'resync: cannot read the head');
        continue;
      }
      if (head <= org.last) continue;
      org.target = Math.max(org.target, head);
      this.fill(name, org);
    }
  }

  /** Forgets every org and stops fills in progress (the node is stopping). */
  close(): void {
    this.generation++;
    this.orgs.clear();
  }

  private fill(name: string, org: OrgProgress): void {
    if (org.filling) return;
    org.filling = true;
    void this.runFill(name, org);
  }

  private async runFill(name: string, org: OrgProgress): Promise<void> {
    const retryMs = this.deps.retryMs ?? 1000;
    const generation = this.generation;
    while (generation === this.generation && org.last < org.target) {
      try {
        const page = await this.deps.log().read(name, {
          afterSeq: org.last,
          beforeSeq: org.target + 1,
          limit: FILL_PAGE,
          from: 'oldest',
        });
        if (generation !== this.generation) return;
        const first = page.events[0];
        if (first === undefined || first.seq > org.last + 1) this.deps.dropped(name);
        const newest = page.events[page.events.length - 1];
        if (newest === undefined) {
          // Everything up to the target left retention meanwhile.
          org.last = org.target;
          continue;
        }
        org.last = newest.seq;
        this.deps.filled(page.events.length);
        this.deps.deliver(page.events, undefined);
      } catch (err) {
        this.deps.logger.warn({ err, org: name }, 'cannot read missed events; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      }
    }
    org.filling = false;
  }
}
