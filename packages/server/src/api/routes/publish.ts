import {
  badRequest,
  explainBadName,
  forbidden,
  isObject,
  jsonDepthExceeds,
  unavailable,
  type JsonValue,
} from '@hubcast/protocol';
import { matchesAny } from '../../ephemeral/ephemeral-event.js';
import type { AppendInput } from '../../log/log.js';
import { orgFor, readJson, type ApiCall, type ApiNode, type Caller } from '../api-call.js';
import { sendJson } from '../http-error.js';

/** What `/api/publish` answers per item: no cursor for an ephemeral one (docs/ephemeral.md). */
export type PublishedItem =
  | { event_id: string; cursor: string; duplicate: boolean }
  | { event_id: string; duplicate: false; ephemeral: true };

/** `POST /api/publish`: one item or an array, validated whole before anything is appended. */
export async function publishRoute({ node, req, res, caller }: ApiCall): Promise<void> {
  const body = await readJson(req, node.config.maxMessageBytes);
  if (node.isDraining()) throw unavailable('server is draining');
  sendJson(res, 200, await publishBody(node, caller, body));
}

/**
 * Validates a publish body (one item or an array) whole, charges each tenant's quota, then
 * appends: the HTTP route and queue ingest share it, so a job is checked as a request is.
 */
export async function publishBody(
  node: Pick<ApiNode, 'config' | 'chargePublishes' | 'publish' | 'publishEphemeral'>,
  caller: Caller,
  body: unknown,
): Promise<PublishedItem | PublishedItem[]> {
  const many = Array.isArray(body);
  const items: unknown[] = many ? body : [body];
  if (many && items.length === 0) throw badRequest('the array is empty');
  const byOrg = new Map<string, { index: number; item: AppendInput }[]>();
  const ephemeral: { index: number; org: string; item: AppendInput }[] = [];
  const charges = new Map<string, number>();
  items.forEach((raw, i) => {
    const index = many ? i : undefined;
    const details = index === undefined ? undefined : { details: { index } };
    if (!isObject(raw)) throw badRequest('an item must be a JSON object', details);
    const org = orgFor(caller, raw['org'], index);
    const why = explainBadName(raw['channel'], false);
    if (why !== undefined) throw badRequest(`'channel' ${why}`, details);
    if (!('data' in raw)) throw badRequest("'data' is required", details);
    if (jsonDepthExceeds(raw['data'], node.config.maxDataDepth))
      throw badRequest(`'data' nests deeper than ${node.config.maxDataDepth} levels`, details);
    const key = raw['key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255))
      throw badRequest("'key' must be a string of 1-255 characters", details);
    const isEphemeral = raw['ephemeral'];
    if (isEphemeral !== undefined && typeof isEphemeral !== 'boolean')
      throw badRequest("'ephemeral' must be a boolean", details);
    const item: AppendInput = { channel: raw['channel'] as string, data: raw['data'] as JsonValue };
    charges.set(org, (charges.get(org) ?? 0) + 1);
    if (isEphemeral === true) {
      // No log, so no idempotency (docs/ephemeral.md); only where the operator allows it.
      if (key !== undefined) throw badRequest("'key' cannot be used with 'ephemeral'", details);
      if (!matchesAny(node.config.ephemeralChannels, item.channel))
        throw forbidden(
          `'${item.channel}' does not take ephemeral publishes (ephemeralChannels)`,
          details,
        );
      ephemeral.push({ index: i, org, item });
      return;
    }
    let list = byOrg.get(org);
    if (list === undefined) byOrg.set(org, (list = []));
    if (key !== undefined) item.key = key;
    list.push({ index: i, item });
  });
  // Every tenant's quota before any append: an array is refused whole or taken whole.
  for (const [org, events] of charges) node.chargePublishes(org, events);
  const out = new Array<PublishedItem>(items.length);
  for (const [org, list] of byOrg) {
    const results = await node.publish(
      org,
      list.map((l) => l.item),
    );
    results.forEach((r, j) => {
      out[(list[j] as { index: number }).index] = {
        event_id: r.event.eventId,
        cursor: r.event.cursor,
        duplicate: r.duplicate,
      };
    });
  }
  // After the logged items: an ephemeral item is not ordered with them (docs/ephemeral.md).
  for (const { index, org, item } of ephemeral) {
    const eventId = await node.publishEphemeral(org, item.channel, item.data);
    out[index] = { event_id: eventId, duplicate: false, ephemeral: true };
  }
  return many ? out : (out[0] as PublishedItem);
}
