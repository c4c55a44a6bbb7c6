import { describe, expect, it } from 'vitest';
import { RefTable } from './ref-table.js';

type Step =
  | ['add', string, string, number]
  | ['remove', string, number]
  | ['removeTab', string]
  | ['drop', string];

/** Runs steps on a fresh table; each step's result, then the keys left. */
function run(steps: Step[]): { results: unknown[]; keys: string[] } {
  const table = new RefTable<string>();
  const results = steps.map((step) => {
    switch (step[0]) {
      case 'add':
        return table.add(step[1], step[2], step[3]);
      case 'remove':
        return table.remove(step[1], step[2]);
      case 'removeTab':
        return table.removeTab(step[1]);
      case 'drop':
        return table.drop(step[1]);
    }
  });
  return { results, keys: table.keys() };
}

describe('RefTable: one hub subscription per key, whatever the number of tab subscriptions', () => {
  it.each<[string, Step[], unknown[], string[]]>([
    ['the first add of a key subscribes', [['add', 'inv.*', 'A', 1]], [true], ['inv.*']],
    [
      'two tabs on one key make one subscription',
      [
        ['add', 'inv.*', 'A', 1],
        ['add', 'inv.*', 'B', 1],
      ],
      [true, false],
      ['inv.*'],
    ],
    [
      'the key lives until its last tab subscription goes',
      [
        ['add', 'inv.*', 'A', 1],
        ['add', 'inv.*', 'B', 1],
        ['remove', 'A', 1],
        ['remove', 'B', 1],
      ],
      [true, false, { key: 'inv.*', last: false }, { key: 'inv.*', last: true }],
      [],
    ],
    [
      // Two subscriptions of one tab on one key count twice.
      'a tab with two subscriptions on a key keeps it after one goes',
      [
        ['add', 'inv.*', 'A', 1],
        ['add', 'inv.*', 'A', 2],
        ['remove', 'A', 1],
      ],
      [true, false, { key: 'inv.*', last: false }],
      ['inv.*'],
    ],
    [
      // A hello sent again to a hub that already had the tab's subscription.
      'a repeated add of the same tab subscription counts once',
      [
        ['add', 'inv.*', 'A', 1],
        ['add', 'inv.*', 'A', 1],
        ['remove', 'A', 1],
      ],
      [true, false, { key: 'inv.*', last: true }],
      [],
    ],
    ['an unknown subscription is ignored', [['remove', 'A', 9]], [undefined], []],
    [
      'a closed tab takes its subscriptions; keys still held by another tab stay',
      [
        ['add', 'inv.*', 'A', 1],
        ['add', 'orders.>', 'A', 2],
        ['add', 'inv.*', 'B', 1],
        ['removeTab', 'A'],
        ['remove', 'A', 2],
      ],
      [true, true, false, ['orders.>'], undefined],
      ['inv.*'],
    ],
    [
      'a key the server ended is forgotten with its members',
      [
        ['add', 'inv.*', 'A', 1],
        ['add', 'inv.*', 'B', 3],
        ['drop', 'inv.*'],
        ['remove', 'B', 3],
        ['add', 'inv.*', 'B', 4],
      ],
      [
        true,
        false,
        [
          { tab: 'A', ids: [1] },
          { tab: 'B', ids: [3] },
        ],
        undefined,
        true,
      ],
      ['inv.*'],
    ],
  ])('%s', (_name, steps, results, keys) => {
    expect(run(steps)).toEqual({ results, keys });
  });

  it('lists the members of a key by tab', () => {
    const table = new RefTable<string>();
    table.add('k', 'A', 1);
    table.add('k', 'A', 2);
    table.add('k', 'B', 7);
    expect(table.members('k')).toEqual([
      { tab: 'A', ids: [1, 2] },
      { tab: 'B', ids: [7] },
    ]);
    expect(table.members('other')).toEqual([]);
  });
});
