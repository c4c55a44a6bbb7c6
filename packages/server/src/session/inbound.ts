/**
 * A session's inbound side: each frame decoded and validated, the rate limit and the count of
 * bad input applied where the frame arrives, and commands run one at a time on the session's
 * chain, so replies keep the order of requests (PROTOCOL.md §3, §4). The state lives on the
 * session (its `@internal` fields), not in an object of its own per socket.
 */
import {
  CLOSE_CODES,
  badRequest,
  jsonCodec,
  validateClientMessage,
  type ClientCommand,
  type HubcastError,
} from '@hubcast/protocol';
import { takeToken } from '../limits/token-bucket.js';
import { runCommand } from './commands.js';
import type { Session } from './session.js';

/** Ten `bad_request` answers in a row close the connection with 4500 (§4). */
const MAX_BAD_IN_A_ROW = 10;
const RESOLVED: Promise<void> = Promise.resolve();

export function receiveFrame(s: Session, data: Buffer, isBinary: boolean): void {
  if (s.state === 'closed') return;
  if (isBinary) {
    onBadInput(s, badRequest('binary frames are not allowed on the JSON codec'), undefined);
    return;
  }
  const { rateLimit, rateBurst } = s.ctx.config;
  const pendingBefore = s.pendingTasks;
  for (const item of jsonCodec.decode(data.toString('utf8'))) {
    if (s.isClosed()) return;
    if (!item.ok) {
      onBadInput(s, badRequest(item.reason), undefined);
      continue;
    }
    const checked = validateClientMessage(item.value);
    if (!checked.ok) {
      onBadInput(s, checked.error, checked.id);
      continue;
    }
    const msg = checked.message;
    if (msg.type === 'pong') {
      if (s.state === 'awaiting_auth') protocolViolation(s, 'pong before connect');
      else s.awaitingPongSinceMs = 0;
      continue;
    }
    if (s.state === 'awaiting_auth' && (msg.type !== 'connect' || s.connectSeen)) {
      protocolViolation(s, `'${msg.type}' before a successful connect`);
      return;
    }
    if (!takeToken(s, Date.now(), rateLimit, rateBurst)) {
      s.refusedInRow++;
      if (s.refusedInRow > 2 * rateBurst) {
        s.ctx.metrics.countLimit('rate_limit');
        closeForLimit(s, CLOSE_CODES.limit.code, 'rate limit exceeded');
        return;
      }
      const id = msg.id;
      schedule(s, () =>
        s.reply(
          { type: 'error', code: 'rate_limited', message: 'command rate limit exceeded' },
          id,
        ),
      );
      continue;
    }
    s.refusedInRow = 0;
    s.malformedInRow = 0;
    if (msg.type === 'connect') s.connectSeen = true;
    enqueueCommand(s, msg);
  }
  if (pendingBefore > 0 && s.pendingTasks > pendingBefore && !s.isClosed())
    holdInbound(s, data.length);
}

/** Runs `task` after every earlier one, so replies keep the order of requests. */
function schedule(s: Session, task: () => void | Promise<void>): void {
  s.pendingTasks++;
  s.chain = s.chain.then(task).then(
    () => settle(s),
    (err: unknown) => {
      s.ctx.logger.error({ err, session: s.id }, 'session task failed');
      settle(s);
    },
  );
}

function settle(s: Session): void {
  if (--s.pendingTasks === 0) s.chain = RESOLVED;
}

/**
 * A frame whose commands wait behind earlier ones holds its bytes until they have run. Past the
 * send-queue bound the socket stops being read, so a client that sends faster than its commands
 * complete (or while one is stalled) is held back by TCP, not by the node's memory.
 */
function holdInbound(s: Session, bytes: number): void {
  const { maxQueueBytes } = s.ctx.config;
  s.inboundBytes += bytes;
  if (!s.inboundPaused && s.inboundBytes > maxQueueBytes) {
    s.inboundPaused = true;
    s.ws.pause();
    s.ctx.metrics.countLimit('inbound_backlog');
  }
  schedule(s, () => {
    s.inboundBytes -= bytes;
    if (s.inboundPaused && s.inboundBytes <= maxQueueBytes / 2) {
      s.inboundPaused = false;
      if (s.state !== 'closed') s.ws.resume();
    }
  });
}

function onBadInput(s: Session, error: HubcastError, id: number | undefined): void {
  if (s.state === 'awaiting_auth') {
    protocolViolation(s, error.message);
    return;
  }
  // Malformed input is also counted here, where it arrives: ten in a row since the last
  // well-formed command are ten bad answers in a row whatever the pending commands answer.
  if (++s.malformedInRow >= MAX_BAD_IN_A_ROW && s.waitingForSocket) {
    s.close(CLOSE_CODES.protocolViolation.code, 'too many bad requests');
    return;
  }
  // Through the command chain, so the error keeps its place among the replies.
  schedule(s, () => {
    if (s.state === 'closed') return;
    s.reply({ type: 'error', code: error.code, message: error.message }, id);
    if (++s.badInRow >= MAX_BAD_IN_A_ROW)
      s.close(CLOSE_CODES.protocolViolation.code, 'too many bad requests');
  });
}

/**
 * A limit tripped by a frame closes the connection behind the replies already pending, so the
 * client sees why; but at once when the chain waits for a socket that is not read: the replies
 * go nowhere then, and a close queued behind them would never come.
 */
function closeForLimit(s: Session, code: number, reason: string): void {
  if (s.waitingForSocket) s.close(code, reason);
  else schedule(s, () => s.close(code, reason));
}

function protocolViolation(s: Session, reason: string): void {
  s.close(CLOSE_CODES.protocolViolation.code, reason);
}

/** Commands run one at a time, in arrival order, so replies keep the order of requests. */
function enqueueCommand(s: Session, cmd: ClientCommand): void {
  schedule(s, async () => {
    if (s.state === 'closed') return;
    const ok = await runCommand(s, cmd);
    if (ok) s.badInRow = 0;
    else if (++s.badInRow >= MAX_BAD_IN_A_ROW)
      s.close(CLOSE_CODES.protocolViolation.code, 'too many bad requests');
  });
}
