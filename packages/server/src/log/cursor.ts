/**
 * Cursor encoding shared by the log implementations: `<epoch>-<seq base36>`. The epoch is
 * derived from the log instance and the org, so a cursor of another org, of a wiped log or of
 * another log instance cannot be placed (PROTOCOL.md §1). Clients never parse this.
 */
import { createHash } from 'node:crypto';

/**
 * `orgEpoch` per org of one log, remembered: every `connected` and `subscribed` reply names a
 * cursor, and a SHA-256 per reply showed in the connect profile. Bounded: past `MAX` orgs the
 * memo starts over (an org is a tenant of this node, so that is rare).
 */
export class OrgEpochs {
  private static readonly MAX = 10_000;
  private readonly byOrg = new Map<string, string>();

  constructor(private readonly logEpoch: string) {}

  of(org: string): string {
    let epoch = this.byOrg.get(org);
    if (epoch === undefined) {
      if (this.byOrg.size >= OrgEpochs.MAX) this.byOrg.clear();
      epoch = orgEpoch(this.logEpoch, org);
      this.byOrg.set(org, epoch);
    }
    return epoch;
  }
}

export function orgEpoch(logEpoch: string, org: string): string {
  return createHash('sha256').update(logEpoch).update('\0').update(org).digest('hex').slice(0, 10);
}

export function encodeCursor(epoch: string, seq: number): string {
  return `${epoch}-${seq.toString(36)}`;
}

/** The seq named by `cursor` when it carries `epoch`, else undefined. */
export function decodeCursor(epoch: string, cursor: string): number | undefined {
  if (!cursor.startsWith(epoch) || cursor.charCodeAt(epoch.length) !== 45 /* - */) return undefined;
  const tail = cursor.slice(epoch.length + 1);
  if (!/^[0-9a-z]{1,11}$/.test(tail)) return undefined;
  const seq = parseInt(tail, 36);
  return Number.isSafeInteger(seq) ? seq : undefined;
}
