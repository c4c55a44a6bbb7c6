/**
 * Wires one hubcast node (STYLE rule 3): log, broker, presence, hub, sessions, HTTP API and
 * heartbeat, plus start / drain / stop. It runs no protocol itself.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, limitExceeded, type JsonValue } from '@hubcast/protocol';
import { createTokenVerifier, type TokenVerifier } from './auth/verify-token.js';
import { AdminConsole } from './admin/admin-console.js';
import { ClusterCalls } from './cluster/cluster-calls.js';
import { ClusterUserSlots } from './cluster/user-slots.js';
import { createNodeInbox } from './cluster/node-inbox.js';
import type { Config } from './config/schema.js';
import { Hub } from './hub/hub.js';
import type { AppendInput } from './log/log.js';
import { Metrics } from './metrics/metrics.js';
import { MemoryPresence } from './presence/memory.js';
import { isExpiringPresence, type Presence } from './presence/presence.js';
import { PresenceTracker } from './services/presence-tracker.js';
import { PresenceInfoService } from './services/presence-info.js';
import type { NodeContext } from './session/context.js';
import { SessionTicker } from './session/session-ticker.js';
import { Session, type Subscription } from './session/session.js';
import { isLoopbackHostHeader } from './transport/dev-host.js';
import { WsTransport } from './transport/ws-transport.js';
import { createApiHandler } from './api/http-server.js';
import { createListener, reloadTls } from './api/listener.js';
import { createBroker, createPresence } from './engines.js';
import { EngineProbe } from './readiness.js';
import { Services } from './services/services.js';
import { endRoomSubscriptions } from './session/room-gate.js';
import { FanOut } from './fanout/fan-out.js';
import { LogOrder } from './fanout/log-order.js';
import { QueueIngest } from './ingest/queue-ingest.js';
import { scopeKeys } from './publish/key-scope.js';
import { EphemeralPublisher } from './ephemeral/ephemeral-publisher.js';
import { Publisher } from './publish/publisher.js';
import { Admission } from './limits/admission.js';
import { defaultMaxConnections, openFilesLimit } from './limits/open-files.js';

import { createApiNode } from './node-api.js';
import { NodeEngines } from './node-engines.js';
import type { HubcastNode, NodeDeps } from './node-types.js';

export type { HubcastNode, NodeDeps };

export function createNode(config: Config, deps: NodeDeps = {}): HubcastNode {
  const logger = deps.logger ?? pino({ level: config.logLevel, base: undefined });
  const embedded = config.engine === 'embedded';
  const engines = new NodeEngines(config, deps);
  const currentLog = engines.log;
  const currentStore = engines.currentStore;
  // Short ids: a random node prefix and a counter, unique across nodes and restarts. The
  // prefix is the node's id on the broker (where a message came from).
  const nodeId = randomBytes(6).toString('base64url');
  const broker = deps.broker ?? createBroker(config, nodeId, currentLog);
  // A cluster node opens its Redis presence at each start (it cannot restart once closed).
  const ownsPresence = deps.presence === undefined && !embedded;
  let presenceStore: Presence = deps.presence ?? new MemoryPresence();
  const hub = new Hub<Subscription>();
  const sessions = new Set<Session>();
  /** Sockets until their close handshake ends: drain waits on these, not on sessions. */
  const sockets = new Set<WebSocket>();
  const inFlight = new Set<Promise<unknown>>();
  const metrics = new Metrics(
    { connections: () => liveCount(), subscriptions: () => hub.size },
    true,
  );
  const admission = new Admission<Session>(
    config,
    config.maxConnections ?? defaultMaxConnections(openFilesLimit()),
    (limit) => metrics.countLimit(limit),
  );
  /** Refuses publishes past the tenant's rate (429 / limit_exceeded with `retry_after`). */
  const chargePublishes = (org: string, events: number): void => {
    const waitSeconds = admission.quotas.takePublishes(org, events);
    if (waitSeconds === undefined) return;
    metrics.countLimit('tenant_publish_rate');
    throw limitExceeded("publish rate of this tenant's quota exceeded", {
      details: { retry_after: Math.ceil(waitSeconds * 1000) / 1000 },
    });
  };
  const userSlots: ClusterUserSlots = new ClusterUserSlots(
    () => services.webhooks.online,
    config.maxConnectionsPerUser,
  );
  const presence = new PresenceTracker({
    store: () => presenceStore,
    broker,
    leaveDelayMs: config.presenceLeaveDelay * 1000,
    membersMax: config.presenceMembersMax,
    logger,
  });
  const presenceInfo = new PresenceInfoService({
    maxInfoBytes: config.presenceInfoMaxBytes,
    updateInfo: (s, channels) => presence.updateInfo(s, channels),
  });
  const ticker = new SessionTicker(
    sessions,
    config.pingInterval * 1000,
    config.pongTimeout * 1000,
    config.authTimeout * 1000,
    config.jwtClockTolerance,
  );
  const engineProbe = new EngineProbe(logger);
  let verifier: TokenVerifier | undefined;
  let draining = false;
  let started = false;
  let stopping: Promise<void> | undefined;
  let server: Server | undefined;
  let ingest: QueueIngest | undefined;

  const liveCount = (): number => {
    let n = 0;
    for (const s of sessions) if (s.state === 'live') n++;
    return n;
  };

  const fanOut = new FanOut(hub, metrics, config.coalesceChannels, (org, room, user) =>
    endRoomSubscriptions(sessions, org, room, user),
  );
  const ephemeral = new EphemeralPublisher(broker, nodeId, config);
  const publishEphemeral = async (
    org: string,
    channel: string,
    data: JsonValue,
    from?: string,
    skipSession?: string,
  ): Promise<string> =>
    (
      await trackInFlight(
        ephemeral.publish(
          org,
          { channel, data, ...(from === undefined ? {} : { from }) },
          skipSession,
        ),
      )
    ).eventId;
  const publisher = new Publisher({ log: currentLog, broker, fanOut, metrics });
  const publishAs = (org: string, items: readonly AppendInput[], skipSession?: string) =>
    publisher.publish(org, items, skipSession);
  const logOrder = new LogOrder({
    log: currentLog,
    // The local broker delivers within the publish call, which chose how (publisher.ts).
    deliver: (events, skipSession) =>
      embedded ? fanOut.deliver(events, skipSession) : fanOut.deliverArrived(events, skipSession),
    dropped(org) {
      for (const s of sessions)
        if (s.org === org && s.state === 'live')
          s.close(CLOSE_CODES.slowConsumer.code, 'missed events left retention: resume');
    },
    filled: (count) => metrics.countGapEvents(count),
    logger,
  });

  const clusterCalls = new ClusterCalls(broker, nodeId);
  const admin = new AdminConsole({ nodeId, metrics, sessions, clusterCalls });
  const onBroker = createNodeInbox({
    admin,
    hub,
    sessions,
    logOrder,
    deliverEphemeral: (event, skipSession) => fanOut.deliverEphemeral(event, skipSession),
    clusterCalls,
    broker,
    metrics,
    logger,
  });

  const services = new Services({
    config,
    store: currentStore,
    presence: () => presenceStore,
    publish: (org, items) => publishService(org, items),
    publishEphemeral: (org, channel, data, from) => publishEphemeral(org, channel, data, from),
    chargePublishes,
    hasLiveConnection: (org, user) =>
      embedded
        ? Promise.resolve(admission.hasConnection(org, user))
        : userSlots.hasConnection(org, user),
    track: (work) => trackInFlight(work),
    presenceInfo,
    metrics,
    logger,
    ...(deps.push === undefined ? {} : { push: deps.push }),
  });

  // Idempotency keys are scoped per tenant and per publisher (§2.4, key-scope.ts).
  const publishService = (org: string, items: readonly AppendInput[]) =>
    publishAs(org, scopeKeys(items, { kind: 'service' }));

  const trackInFlight = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const done = (): void => void inFlight.delete(work);
    work.then(done, done);
    return work;
  };

  let sessionCounter = 0;

  const ctx: NodeContext = {
    newSessionId: () => `${nodeId}${(sessionCounter++).toString(36)}`,
    config,
    get log() {
      return currentLog();
    },
    hub,
    logger,
    metrics,
    verifyToken: (token) => {
      if (verifier === undefined) throw new Error('node not started');
      return verifier(token);
    },
    publish: (org, user, items, skipSession) => {
      chargePublishes(org, items.length);
      return publishAs(org, scopeKeys(items, { kind: 'user', user }), skipSession);
    },
    publishEphemeral(org, user, channel, data, skipSession) {
      ephemeral.requireEphemeralChannel(channel);
      chargePublishes(org, 1);
      return publishEphemeral(org, channel, data, user, skipSession);
    },
    admit: (s) => admission.admit(s),
    async admitInCluster(s) {
      if (embedded || (await userSlots.take(s))) {
        if (s.state !== 'closed') services.webhooks.connected(s);
        return undefined;
      }
      metrics.countLimit('user_connections');
      return limitExceeded('too many connections for this user', {
        closeCode: CLOSE_CODES.limit.code,
      });
    },
    sessionClosed(s) {
      sessions.delete(s);
      admission.release(s);
      userSlots.release(s);
      services.webhooks.disconnected(s);
    },
    socketClosed(ws) {
      sockets.delete(ws);
      if (draining && sockets.size === 0) onAllClosed?.();
    },
    presenceEnter: (s, channel) => {
      presence.enter(s, channel);
      services.webhooks.subscribed(s, channel);
    },
    presenceLeave: (s, channel) => {
      presence.leave(s, channel);
      services.webhooks.unsubscribed(s, channel);
    },
    presenceMembers: (org, channel) => presence.members(org, channel),
    scheduleFlush: fanOut.scheduleFlush,
    noteHead: (org, headSeq) => logOrder.noteHead(org, headSeq),
    isDraining: () => draining,
    trackInFlight,
    isChatMember: async (org, room, user) =>
      (await currentStore().chat.member(org, room, user)) !== undefined,
    rpc: (s, method, params) => services.rpc(s, method, params),
  };

  let onAllClosed: (() => void) | undefined;

  // A closed ws server refuses upgrades for good, so each start() gets a fresh transport.
  const newTransport = (): WsTransport =>
    new WsTransport({
      maxMessageBytes: config.maxMessageBytes,
      allowedOrigins: config.allowedOrigins,
      admit(address, host) {
        // Dev mode's DNS-rebinding defence (transport/dev-host.ts), for the upgrade path.
        if (config.dev && !isLoopbackHostHeader(host)) return { status: 403 };
        if (draining) return { status: 503 };
        return admission.checkUpgrade(address, sockets.size);
      },
      onConnection(ws: WebSocket, socket: Duplex, address: string) {
        sockets.add(ws);
        const session = new Session(ws, socket, ctx);
        sessions.add(session);
        admission.opened(session, address);
      },
    });
  let transport: WsTransport | undefined;

  const apiNode = createApiNode({
    config,
    log: currentLog,
    metrics,
    chargePublishes,
    track: trackInFlight,
    publish: publishAs,
    publishEphemeral: (org, channel, data) => publishEphemeral(org, channel, data),
    services,
    presence,
    clusterCalls,
    isDraining: () => draining,
    async readiness() {
      if (draining) return { status: 'draining' };
      if (!started) return { status: 'starting' };
      return engineProbe.check({
        log: () => currentLog().check(),
        store: () => currentStore().check(),
        broker: () => broker.check(),
      });
    },
    admin,
    staticHandler: deps.staticHandler,
  });

  const node: HubcastNode = {
    config,
    metrics,
    logger,
    publishEphemeral: (org, channel, data, from) => publishEphemeral(org, channel, data, from),
    async start() {
      try {
        await engines.open(nodeId, (message) => logger.info(message));
        verifier = await createTokenVerifier(config);
        await broker.start(onBroker);
        if (ownsPresence) presenceStore = createPresence(config, nodeId);
        if (isExpiringPresence(presenceStore))
          await presenceStore.startHeartbeat(
            presence.expiryHandlers((change, member) => services.webhooks.expired(change, member)),
          );
        draining = false;
        const handler = createApiHandler(apiNode);
        server = createListener(config, (req, res) => void handler(req, res));
        const upgrades = (transport = newTransport());
        server.on('upgrade', (req, socket, head) => upgrades.handleUpgrade(req, socket, head));
        await new Promise<void>((resolve, reject) => {
          server?.once('error', reject);
          server?.listen(config.port, config.host, () => {
            server?.off('error', reject);
            resolve();
          });
        });
        // Once listening, a server error (a failed accept) is logged: with no listener it
        // would be an uncaught exception.
        server.on('error', (err) => logger.error({ err }, 'http server error'));
      } catch (err) {
        // A start that failed half way leaves nothing open: no file handle, no connection.
        transport?.close();
        server = undefined;
        if (ownsPresence) await presenceStore.close().catch(() => undefined);
        await broker.close().catch(() => undefined);
        await engines.release();
        throw err;
      }
      ticker.start();
      admin.start();
      started = true;
      stopping = undefined;
      // Pushes a crash left in the outbox go out now.
      services.start();
      if (config.queue) ingest = QueueIngest.start({ config, node: apiNode, metrics, logger });
    },
    async drain() {
      if (draining) return;
      draining = true;
      // First, so no job is taken once drain begins; the running ones finish below.
      const ingestClosed = ingest?.close();
      // No webhook is claimed once drain begins; the requests under way get a bounded wait.
      const webhooksDrained = services.webhooks.drain();
      const deadline = new Promise<void>((resolve) =>
        setTimeout(resolve, config.shutdownTimeout * 1000).unref(),
      );
      // Spread the reconnect storm: clients wait a random delay up to this bound (§5). One node
      // takes about 4,000 connects with auth a second (bench M9), so N clients are spread over
      // N/4000 s: the node taking them back runs at its capacity, not past it.
      const delayMs = Math.round(Math.min(10_000, Math.max(1000, sessions.size / 4)));
      for (const s of sessions)
        if (s.state === 'live')
          s.push({ type: 'reconnect', delay_ms: delayMs, reason: 'shutdown' });
      // Publishes already accepted finish and get their replies before the sockets close.
      await Promise.race([Promise.allSettled([...inFlight, ingestClosed]), deadline]);
      const allClosed = new Promise<void>((resolve) => {
        onAllClosed = resolve;
        if (sockets.size === 0) resolve();
      });
      for (const s of [...sessions]) s.close(CLOSE_CODES.shutdown.code, 'server shutting down');
      await Promise.race([allClosed, deadline]);
      await webhooksDrained;
    },
    stop() {
      stopping ??= (async () => {
        if (!started) return;
        await node.drain();
        await ingest?.close();
        ingest = undefined;
        ticker.stop();
        admin.stop();
        // The leaves the delay held back go out while the broker is still there; a cluster's
        // presence leaves them to its node expiry, so clients that reconnect elsewhere within
        // it show no leave/join pair (services/presence-tracker.ts close()).
        await presence.close({ runPending: !isExpiringPresence(presenceStore) });
        // The offlines and vacancies held back go to the store while presence and store last.
        await services.webhooks.stop();
        if (ownsPresence) await presenceStore.close();
        logOrder.close();
        transport?.close();
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((resolve) => {
          if (server === undefined) return resolve();
          server.close(() => resolve());
          server.closeAllConnections();
        });
        started = false;
        draining = false;
        services.notifications.relay.stop();
        await services.followUps.stop();
        await services.push.dispatcher?.stop();
        await broker.close();
        await engines.release();
      })();
      return stopping;
    },
    reloadTls: () => reloadTls(server, config),
    address() {
      const a = server?.address();
      if (a === null || a === undefined || typeof a === 'string')
        throw new Error('node is not listening');
      return a;
    },
  };
  return node;
}
