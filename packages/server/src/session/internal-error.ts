/**
 * A command's unexpected failure: logged with its session for the operator, answered to the
 * client as `internal` without the details.
 */
import { HubcastError } from '@hubcast/protocol';
import type { Session } from './session.js';

export function internalError(session: Session, err: unknown): HubcastError {
  session.ctx.logger.error({ err, session: session.id }, 'command failed');
  return new HubcastError('internal', 'internal error');
}
