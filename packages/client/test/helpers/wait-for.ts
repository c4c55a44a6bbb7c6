/** Awaiting events instead of sleeping (STYLE rule 17). */
import type { EventContext, EventMap, EventsOf } from '../../src/emitter.js';

/** Any typed emitter (the client, a subscription). */
type AnyEmitter = { readonly eventMap?: unknown };
type Ctx<E, K extends keyof EventsOf<E>> =
  EventsOf<E> extends EventMap<EventsOf<E>> ? EventContext<EventsOf<E>, K> : never;

interface Listenable<E> {
  on<K extends keyof EventsOf<E>>(event: K, listener: EventsOf<E>[K]): () => void;
}

/**
 * Resolves with the context of the next `event` that satisfies `predicate`; rejects after
 * `timeoutMs` naming the event, so a hang reads as a failure, not a test timeout.
 */
export function waitFor<E extends AnyEmitter, K extends keyof EventsOf<E>>(
  emitter: E,
  event: K,
  predicate: (ctx: Ctx<E, K>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Ctx<E, K>> {
  return new Promise((resolve, reject) => {
    const listener = (ctx: Ctx<E, K>): void => {
      if (!predicate(ctx)) return;
      clearTimeout(timer);
      remove();
      resolve(ctx);
    };
    const remove = (emitter as unknown as Listenable<E>).on(
      event,
      listener as unknown as EventsOf<E>[K],
    );
    const timer = setTimeout(() => {
      remove();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${String(event)}'`));
    }, timeoutMs);
  });
}

/** Resolves once `check()` holds, re-checking whenever `event` fires. */
export async function until<E extends AnyEmitter, K extends keyof EventsOf<E>>(
  emitter: E,
  event: K,
  check: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  if (check()) return;
  await waitFor(emitter, event, () => check(), timeoutMs);
}

/** Records every context of `event` from now on. */
export function record<E extends AnyEmitter, K extends keyof EventsOf<E>>(
  emitter: E,
  event: K,
): Ctx<E, K>[] {
  const seen: Ctx<E, K>[] = [];
  const listener = (ctx: Ctx<E, K>): void => void seen.push(ctx);
  (emitter as unknown as Listenable<E>).on(event, listener as unknown as EventsOf<E>[K]);
  return seen;
}
