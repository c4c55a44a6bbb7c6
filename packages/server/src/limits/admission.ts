/**
 * Who may open a WebSocket, and who may stay: the node-wide connection cap, the cap on
 * unauthenticated sockets per client address (a peer opening sockets it never authenticates
 * holds file descriptors for --auth-timeout each), and per-tenant and per-user connection
 * slots once a token names them.
 */
import { CLOSE_CODES, limitExceeded, type HubcastError } from '@hubcast/protocol';
import type { Config } from '../config/schema.js';
import type { LimitName } from '../metrics/metrics.js';
import { SlotCounter } from './slot-counter.js';
import { TenantQuotas } from './tenant-quotas.js';

export interface UpgradeRefusal {
  status: number;
  headers?: Readonly<Record<string, string>>;
}

/** What admission needs to know of a connection: its tenant and user once authenticated. */
export interface Admitted {
  readonly org: string;
  readonly user: string;
}

export class Admission<S extends Admitted> {
  readonly quotas: TenantQuotas;
  private readonly pendingByAddress = new SlotCounter();
  /** Unauthenticated connections and their address: only they are in this map. */
  private readonly pending = new Map<S, string>();
  private readonly userSlots = new SlotCounter();
  private readonly admitted = new WeakSet<S>();

  constructor(
    private readonly config: Config,
    /** The node-wide cap (0: none), resolved from the config and the open-files limit. */
    private readonly maxConnections: number,
    private readonly countLimit: (limit: LimitName) => void,
  ) {
    this.quotas = new TenantQuotas(
      {
        maxConnections: config.tenantMaxConnections,
        publishRate: config.tenantPublishRate,
        publishBurst: config.tenantPublishBurst,
      },
      config.tenantQuotas,
    );
  }

  /** An upgrade from `address` while `open` sockets are open: undefined, or how to refuse. */
  checkUpgrade(address: string, open: number): UpgradeRefusal | undefined {
    if (this.maxConnections > 0 && open >= this.maxConnections) {
      this.countLimit('max_connections');
      return { status: 503, headers: { 'Retry-After': '5' } };
    }
    const perAddress = this.config.maxUnauthenticatedPerIp;
    if (perAddress > 0 && this.pendingByAddress.count(address) >= perAddress) {
      this.countLimit('unauthenticated_per_ip');
      return { status: 429, headers: { 'Retry-After': '1' } };
    }
    return undefined;
  }

  /** A socket was upgraded: it is unauthenticated until `admit` or `release`. */
  opened(session: S, address: string): void {
    this.pendingByAddress.take(address, 0);
    this.pending.set(session, address);
  }

  /** A token named the connection's tenant and user: their slots, or why not (4003). */
  admit(session: S): HubcastError | undefined {
    this.leavePending(session);
    if (!this.quotas.takeConnection(session.org)) {
      this.countLimit('tenant_connections');
      return limitExceeded('too many connections for this tenant', {
        closeCode: CLOSE_CODES.limit.code,
      });
    }
    if (!this.userSlots.take(userKey(session), this.config.maxConnectionsPerUser)) {
      this.quotas.releaseConnection(session.org);
      return limitExceeded('too many connections for this user', {
        closeCode: CLOSE_CODES.limit.code,
      });
    }
    this.admitted.add(session);
    return undefined;
  }

  /** Whether the user has an admitted connection on this node (Web Push's local `isOnline`). */
  hasConnection(org: string, user: string): boolean {
    return this.userSlots.count(userKey({ org, user })) > 0;
  }

  /** The connection is gone: every slot it held is free again. */
  release(session: S): void {
    this.leavePending(session);
    if (!this.admitted.delete(session)) return;
    this.userSlots.release(userKey(session));
    this.quotas.releaseConnection(session.org);
  }

  private leavePending(session: S): void {
    const address = this.pending.get(session);
    if (address === undefined) return;
    this.pending.delete(session);
    this.pendingByAddress.release(address);
  }
}

const userKey = (s: Admitted): string => `${s.org}\0${s.user}`;
