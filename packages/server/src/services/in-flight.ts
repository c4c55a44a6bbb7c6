/**
 * Changes in flight per user, which that user's reads wait for (the inbox's and chat's
 * `track`/`settled`): a read that comes right after a change on the same node answers
 * after that change's pushes are in the log, so a device never sees a count or page older than
 * a push it already got.
 */
export class InFlight {
  private readonly busy = new Map<string, Set<Promise<unknown>>>();

  async track<T>(org: string, users: readonly string[], work: () => Promise<T>): Promise<T> {
    const run = work();
    const keys = [...new Set(users)].map((u) => `${org}\0${u}`);
    for (const k of keys) {
      let set = this.busy.get(k);
      if (set === undefined) this.busy.set(k, (set = new Set()));
      set.add(run);
    }
    try {
      return await run;
    } finally {
      for (const k of keys) {
        const set = this.busy.get(k);
        set?.delete(run);
        if (set?.size === 0) this.busy.delete(k);
      }
    }
  }

  async settled(org: string, user: string): Promise<void> {
    const set = this.busy.get(`${org}\0${user}`);
    if (set !== undefined) await Promise.allSettled([...set]);
  }
}
