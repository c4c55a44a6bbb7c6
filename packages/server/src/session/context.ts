/**
 * What a session may use of its node: a narrow door (STYLE rule 3), wired in node.ts.
 */
import type { HubcastError, JsonValue } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { VerifiedToken } from '../auth/verify-token.js';
import type { Config } from '../config/schema.js';
import type { Hub } from '../hub/hub.js';
import type { AppendInput, AppendResult, EventLog } from '../log/log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MemberPage } from '../presence/presence.js';
import type { Session, Subscription } from './session.js';

export interface NodeContext {
  readonly config: Config;
  readonly log: EventLog;
  readonly hub: Hub<Subscription>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** A session id unique across nodes (sent in `connected`, used for `echo: false`). */
  newSessionId(): string;
  verifyToken(token: string): Promise<VerifiedToken>;
  /**
   * A client's publish: appends to the log with the user's key scope, then fans out through
   * the broker; resolves after the append.
   */
  publish(
    org: string,
    user: string,
    items: readonly AppendInput[],
    skipSession?: string,
  ): Promise<AppendResult[]>;
  /**
   * A client's ephemeral publish (docs/ephemeral.md), its publish grant already checked: refused
   * outside `ephemeralChannels`, charged to the tenant's quota, then fanned out with no log.
   * Resolves with the event id.
   */
  publishEphemeral(
    org: string,
    user: string,
    channel: string,
    data: JsonValue,
    skipSession?: string,
  ): Promise<string>;
  /**
   * The connection is authenticated: it takes its tenant's and its user's connection slots,
   * or gets the error to refuse it with (limit_exceeded, 4003).
   */
  admit(session: Session): HubcastError | undefined;
  /**
   * After `admit`: the user's slot over the whole cluster (a cluster node asks Redis), or the
   * error to refuse with. Resolves at once on a single node.
   */
  admitInCluster(session: Session): Promise<HubcastError | undefined>;
  /** Called once when a session is gone, whatever the reason. */
  sessionClosed(session: Session): void;
  /** Called once when the socket under a session has finished closing. */
  socketClosed(ws: WebSocket): void;
  presenceEnter(session: Session, channel: string): void;
  presenceLeave(session: Session, channel: string): void;
  /** The first `presenceMembersMax` members by user id and the count of all. */
  presenceMembers(org: string, channel: string): Promise<MemberPage>;
  scheduleFlush(session: Session): void;
  /**
   * A connection of `org` went live at `headSeq`, the head it read: the node owes it every
   * later event, in log order (fanout/log-order.ts).
   */
  noteHead(org: string, headSeq: number): void;
  isDraining(): boolean;
  /** Keeps the drain waiting until this publish settles. */
  trackInFlight<T>(work: Promise<T>): Promise<T>;
  rpc(session: Session, method: string, params: JsonValue | undefined): Promise<JsonValue>;
  /** Whether `user` is a member of the chat room (docs/chat.md): one store lookup. */
  isChatMember(org: string, room: string, user: string): Promise<boolean>;
}
