/**
 * The live unread count, as pure bookkeeping: the helper feeds it inbox events and count
 * fetches, and it says what the count is and when it must be fetched again. No I/O.
 *
 * Why a fetch result is not simply applied: `unreadCount` answers the count at some moment
 * while the request is in flight, and nothing orders that moment against the events that
 * reach the client meanwhile (the reply and a push travel separate paths on the server). An
 * event seen during the fetch may or may not be in the answer, so the answer is ambiguous and
 * is dropped for a new fetch. A fetch during which no count-changing event arrived is adopted,
 * and the events after it apply on top. The fetch starts only once the subscription is live,
 * so every change after it arrives as an event. `read_all` is absolute (0 at its place in the
 * log): it settles the count on its own and makes any fetch in flight moot.
 */

/** Notification ids remembered for deduplication; the oldest are forgotten past this. */
export const REMEMBERED_IDS_MAX = 1000;

/** What the owner must do after feeding the tracker. */
export interface TrackerOutcome {
  /** Start a count fetch (`beginFetch`) as soon as the subscription is live. */
  fetch: boolean;
}

export interface CreatedOutcome extends TrackerOutcome {
  /** The id was seen before (a replay or a re-push): nothing changed. */
  duplicate: boolean;
}

const NOTHING: TrackerOutcome = { fetch: false };

export class UnreadTracker {
  private value: number | undefined;
  /** id → still unread, for the ids this tracker saw created or read; insertion-ordered. */
  private readonly known = new Map<string, boolean>();
  /** The fetch whose answer may be adopted; `undefined` when none is in flight. */
  private inFlight: number | undefined;
  private overtaken = false;
  private seq = 0;

  /** The count, `undefined` until the first fetch is adopted (or a `read_all`). */
  get count(): number | undefined {
    return this.value;
  }

  /** Starts a fetch; any earlier one still in flight is superseded. Returns its token. */
  beginFetch(): number {
    this.inFlight = ++this.seq;
    this.overtaken = false;
    return this.inFlight;
  }

  /** A fetch answered. Stale answers are ignored; an overtaken one asks for another fetch. */
  fetched(token: number, count: number): TrackerOutcome {
    if (token !== this.inFlight) return NOTHING;
    this.inFlight = undefined;
    if (this.overtaken) {
      this.overtaken = false;
      return { fetch: true };
    }
    this.value = count;
    return NOTHING;
  }

  /** A fetch failed; returns whether it was the current one (so worth reporting). */
  fetchFailed(token: number): boolean {
    if (token !== this.inFlight) return false;
    this.inFlight = undefined;
    this.overtaken = false;
    return true;
  }

  created(id: string, isUnread: boolean): CreatedOutcome {
    if (this.known.has(id)) return { duplicate: true, fetch: false };
    this.remember(id, isUnread);
    if (!isUnread) return { duplicate: false, fetch: false };
    return { duplicate: false, fetch: this.changed(1) };
  }

  /** −1 per id known as unread; an unknown id may or may not have been counted: refetch. */
  read(ids: readonly string[]): TrackerOutcome {
    let delta = 0;
    let unknown = false;
    for (const id of ids) {
      const wasUnread = this.known.get(id);
      if (wasUnread === undefined) unknown = true;
      else if (wasUnread) delta--;
      this.remember(id, false);
    }
    let fetch = delta === 0 ? false : this.changed(delta);
    if (unknown && this.unsure().fetch) fetch = true;
    return { fetch };
  }

  readAll(): TrackerOutcome {
    for (const id of this.known.keys()) this.known.set(id, false);
    this.value = 0;
    this.inFlight = undefined; // its answer predates this point or not: either way moot
    this.overtaken = false;
    return NOTHING;
  }

  /** Something happened whose effect on the count is unknown (a malformed or newer event). */
  unsure(): TrackerOutcome {
    if (this.inFlight !== undefined) this.overtaken = true;
    return { fetch: this.inFlight === undefined };
  }

  /** Forgets everything (stop, or another user); answers of earlier fetches are ignored. */
  reset(): void {
    this.value = undefined;
    this.known.clear();
    this.inFlight = undefined;
    this.overtaken = false;
  }

  /** Applies a change to the count, if there is one; returns whether a fetch is needed. */
  private changed(delta: number): boolean {
    if (this.inFlight !== undefined) this.overtaken = true;
    if (this.value === undefined) return this.inFlight === undefined;
    const next = this.value + delta;
    this.value = Math.max(0, next);
    // Below zero the books are wrong somewhere: ask the server rather than show a guess.
    if (next < 0) return this.unsure().fetch;
    return false;
  }

  private remember(id: string, isUnread: boolean): void {
    this.known.delete(id); // re-inserted last: the newest news is kept longest
    this.known.set(id, isUnread);
    if (this.known.size > REMEMBERED_IDS_MAX) {
      const oldest = this.known.keys().next();
      if (oldest.done !== true) this.known.delete(oldest.value);
    }
  }
}
