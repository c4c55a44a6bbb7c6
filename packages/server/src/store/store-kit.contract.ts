/**
 * What the two `Store` contracts share: targets, builders, assertions, and a harness that
 * opens stores on one target per suite. `store.contract.ts` and `store-lifecycle.contract.ts`
 * import it; it holds no tests. Named `*.contract.ts` so the build leaves it out and the test
 * type-check takes it in, like the suites.
 *
 * A target is the data a store is opened on (a file, a database). Most tests share one target
 * and keep apart by using fresh org names, which is tenant isolation at work. Time comes only
 * from the injected clock.
 */
import { randomBytes } from 'node:crypto';
import { HubcastError } from '@hubcast/protocol';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  StoreUnavailableError,
  type CreateInput,
  type NewNotification,
  type Notification,
  type NotificationStore,
  type Store,
  type StoreOptions,
} from './store.js';

export interface StoreTarget {
  /** Opens a store on this target; every store opened on one target sees the same data. */
  open(options?: StoreOptions): Promise<Store>;
}

/** Makes an empty target: a new file, a new database. */
export type StoreTargetFactory = () => Promise<StoreTarget>;

/** 2023-11-14T22:13:20.000Z */
export const START_MS = 1_700_000_000_000;
export const iso = (ms: number): string => new Date(ms).toISOString();

let orgCounter = 0;
/** Unique per run, so stores sharing one target never see each other's orgs. */
export function freshOrg(): string {
  orgCounter++;
  return `o${orgCounter}-${randomBytes(4).toString('hex')}`;
}

export const note = (title: string, extra: Partial<NewNotification> = {}): NewNotification => ({
  kind: 'mention',
  title,
  ...extra,
});
export const to = (user: string, title: string, extra: Partial<CreateInput> = {}): CreateInput => ({
  users: [user],
  notification: note(title),
  ...extra,
});
export const titles = (items: readonly Notification[]): string[] => items.map((n) => n.title);

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

export async function expectBadRequest(promise: Promise<unknown>): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(HubcastError);
  expect(err).not.toBeInstanceOf(StoreUnavailableError);
  expect((err as HubcastError).code).toBe('bad_request');
}

/** Creates n1…n`count` for `user`, one call each, oldest first; answers their ids. */
export async function fill(
  inbox: NotificationStore,
  org: string,
  user: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const { ids: [id] = [] } = await inbox.create(org, to(user, `n${i}`));
    if (id === undefined) throw new Error('create answered no id');
    ids.push(id);
  }
  return ids;
}

export interface Setup {
  store: Store;
  inbox: NotificationStore;
  /** A fresh org nobody else has written to. */
  org: string;
  advanceMs: (ms: number) => void;
  nowMs: () => number;
}

export interface StoreHarness {
  /** The target the suite's tests share, made before its first test. */
  shared: () => StoreTarget;
  /** Opens a store on `target` that is closed after the test. */
  openOn: (target: StoreTarget, options?: StoreOptions) => Promise<Store>;
  /** A fresh org and the clock at START_MS; `own` opens a store the test may close. */
  setup: (options?: { own?: boolean }) => Promise<Setup>;
}

/**
 * Registers the hooks of one suite, so call it inside its `describe`: a shared target made
 * once, one common store for the tests that do not close theirs (on a clock each setup()
 * resets), and closing of every store a test opened.
 */
export function useStoreHarness(newTarget: StoreTargetFactory): StoreHarness {
  let shared: StoreTarget;
  let common: Store | undefined;
  let nowMs = START_MS;
  const open: Store[] = [];
  beforeAll(async () => {
    shared = await newTarget();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await common?.close();
  });

  async function openOn(target: StoreTarget, options: StoreOptions = {}): Promise<Store> {
    const store = await target.open(options);
    open.push(store);
    return store;
  }

  async function setup({ own = false } = {}): Promise<Setup> {
    nowMs = START_MS;
    const now = (): number => nowMs;
    const store = own ? await openOn(shared, { now }) : (common ??= await shared.open({ now }));
    return {
      store,
      inbox: store.notifications,
      org: freshOrg(),
      advanceMs: (ms) => {
        nowMs += ms;
      },
      nowMs: () => nowMs,
    };
  }

  return { shared: () => shared, openOn, setup };
}
