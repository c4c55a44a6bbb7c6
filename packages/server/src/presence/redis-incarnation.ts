/** One life of a node in Redis: its name there and its heartbeat (redis.ts). */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Sends one beat for `name`; answers false if that name was declared dead meanwhile. */
export type SendBeat = (name: string, isFirst: boolean) => Promise<boolean>;

/**
 * A name of its own (`nodeId~random`), so that a node restarted under the same id does not
 * adopt the entries its crashed predecessor left, and a node declared dead while alive can
 * come back under a new name instead of one whose entries another node is removing. Times are
 * `performance.now()`: the local clock only measures local spans, Redis's judges deadlines.
 */
export class Incarnation {
  readonly name: string;
  /** Orgs recorded in this incarnation's org set, so that `add` records each once. */
  readonly orgs = new Set<string>();
  private lastBeatAt: number | undefined;
  /** Since when beats succeed without a gap longer than the TTL. */
  private beatingSince: number | undefined;
  /** Until when this incarnation surely counts as alive in Redis. */
  private leaseEndsAt = -Infinity;

  constructor(
    nodeId: string,
    private readonly ttlMs: number,
    private readonly send: SendBeat,
  ) {
    this.name = `${nodeId}~${randomBytes(4).toString('hex')}`;
  }

  /** Pushes the deadline on; false if this incarnation was declared dead (it stays dead). */
  async beat(): Promise<boolean> {
    const sentAt = performance.now();
    if (!(await this.send(this.name, this.lastBeatAt === undefined))) return false;
    // Redis set the deadline to its now + TTL after we sent: at least sentAt + TTL here.
    this.leaseEndsAt = sentAt + this.ttlMs;
    if (this.beatingSince === undefined || sentAt - (this.lastBeatAt ?? sentAt) > this.ttlMs)
      this.beatingSince = sentAt;
    this.lastBeatAt = sentAt;
    return true;
  }

  /**
   * A beat failed. After an outage every node's deadline may have passed: none may reap until
   * it has beaten for a whole TTL again, which gives the others the time to beat too.
   */
  beatFailed(): void {
    this.beatingSince = undefined;
  }

  /**
   * Whether `add` may write. Past the lease, other nodes may already reap this incarnation,
   * and an entry written then would outlive the reap unlisted and counted.
   */
  hasLease(): boolean {
    return performance.now() < this.leaseEndsAt;
  }

  /** Whether this node may reap others: it has beaten without a gap for a whole TTL. */
  mayReap(): boolean {
    return this.beatingSince !== undefined && performance.now() - this.beatingSince >= this.ttlMs;
  }
}
