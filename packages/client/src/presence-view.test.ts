import { describe, expect, it } from 'vitest';
import {
  applyPresenceChange,
  applyPresenceSnapshot,
  type PresenceInput,
  type PresenceState,
} from './presence-view.js';

const join = (user: string, update?: true): PresenceInput => ({
  kind: 'join',
  ctx: { channel: 'c', user, ...(update ? { update } : {}) },
});
const leave = (user: string): PresenceInput => ({ kind: 'leave', ctx: { channel: 'c', user } });

function stateOf(users: string[], count = users.length): PresenceState {
  const state: PresenceState = { members: new Map(), count: 0 };
  applyPresenceSnapshot(state, {
    channel: 'c',
    members: users.map((user) => ({ user, connections: 1, devices: [] })),
    count,
  });
  return state;
}

describe('applyPresenceChange', () => {
  it.each<[string, string[], number, PresenceInput, boolean, string[], number]>([
    ['a new user joins', ['a'], 1, join('b'), true, ['a', 'b'], 2],
    ['a present user updates info', ['a'], 1, join('a', true), true, ['a'], 1],
    ['a user leaves', ['a', 'b'], 2, leave('a'), true, ['b'], 1],
    // the snapshot's list was capped: an unlisted user leaving still lowers the count
    ['an unlisted user leaves a capped list', ['a'], 5, leave('z'), true, ['a'], 4],
    ['an unknown user leaves a full list', ['a'], 1, leave('z'), false, ['a'], 1],
    ['a join of a listed user without update', ['a'], 1, join('a'), true, ['a'], 1],
  ])('%s', (_name, users, count, input, changed, after, countAfter) => {
    const state = stateOf(users, count);
    expect(applyPresenceChange(state, input)).toBe(changed);
    expect([...state.members.keys()].sort()).toEqual(after);
    expect(state.count).toBe(countAfter);
  });
});
