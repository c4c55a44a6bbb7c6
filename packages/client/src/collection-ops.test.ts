import { describe, expect, it } from 'vitest';
import {
  changedFields,
  reduceOp,
  toOps,
  type CollectionChange,
  type CollectionOp,
} from './collection-ops.js';

interface Row {
  id: string;
  qty: number;
  v: number;
}

const keyOf = (r: Row): string => r.id;
const versionOf = (r: Row): number => r.v;
const A1: Row = { id: 'a', qty: 1, v: 1 };
const A2: Row = { id: 'a', qty: 2, v: 2 };

describe('reduceOp', () => {
  it.each<[string, Row | undefined, CollectionOp<Row>, boolean, CollectionChange<Row> | undefined]>(
    [
      [
        'upsert of a new key',
        undefined,
        { op: 'upsert', item: A1 },
        false,
        { kind: 'upsert', key: 'a', item: A1, previous: undefined },
      ],
      [
        'upsert over an item',
        A1,
        { op: 'upsert', item: A2 },
        false,
        { kind: 'upsert', key: 'a', item: A2, previous: A1 },
      ],
      // without versions the newest event wins, whatever it says
      [
        'unversioned upsert going back',
        A2,
        { op: 'upsert', item: A1 },
        false,
        { kind: 'upsert', key: 'a', item: A1, previous: A2 },
      ],
      ['versioned upsert going back is stale', A2, { op: 'upsert', item: A1 }, true, undefined],
      [
        'versioned upsert of the same version',
        A2,
        { op: 'upsert', item: A2 },
        true,
        { kind: 'upsert', key: 'a', item: A2, previous: A2 },
      ],
      [
        'patch of one field',
        A1,
        { op: 'patch', key: 'a', patch: { qty: 5 } },
        false,
        { kind: 'patch', key: 'a', item: { id: 'a', qty: 5, v: 1 }, patch: { qty: 5 } },
      ],
      // only the fields that differ are reported, so a binding sets only those
      [
        'patch with an unchanged field',
        A1,
        { op: 'patch', key: 'a', patch: { id: 'a', qty: 5 } },
        false,
        { kind: 'patch', key: 'a', item: { id: 'a', qty: 5, v: 1 }, patch: { qty: 5 } },
      ],
      [
        'patch that sets what is there',
        A1,
        { op: 'patch', key: 'a', patch: { qty: 1 } },
        false,
        undefined,
      ],
      [
        'patch of an unknown key',
        undefined,
        { op: 'patch', key: 'a', patch: { qty: 5 } },
        false,
        undefined,
      ],
      [
        'versioned patch going back',
        A2,
        { op: 'patch', key: 'a', patch: { qty: 9, v: 1 } },
        true,
        undefined,
      ],
      [
        'delete of an item',
        A1,
        { op: 'delete', key: 'a' },
        false,
        { kind: 'delete', key: 'a', item: A1 },
      ],
      ['delete of an unknown key', undefined, { op: 'delete', key: 'a' }, false, undefined],
    ],
  )('%s', (_name, current, op, versioned, expected) => {
    const options = versioned ? { keyOf, versionOf } : { keyOf };
    expect(reduceOp(current, op, options)).toEqual(expected);
  });
});

describe('changedFields', () => {
  it.each<[string, Partial<Row>, Partial<Row> | undefined]>([
    ['nothing', {}, undefined],
    ['same values', { id: 'a', qty: 1 }, undefined],
    // undefined in a patch means "not given", never "clear"
    ['an undefined value', { qty: undefined }, undefined],
    ['one new value', { qty: 3, v: 1 }, { qty: 3 }],
  ])('%s', (_name, patch, expected) => {
    expect(changedFields(A1, patch)).toEqual(expected);
  });
});

describe('toOps', () => {
  it.each<[string, CollectionOp<Row> | CollectionOp<Row>[] | undefined | null, number]>([
    ['undefined', undefined, 0],
    ['null', null, 0],
    ['one op', { op: 'delete', key: 'a' }, 1],
    [
      'a list',
      [
        { op: 'delete', key: 'a' },
        { op: 'delete', key: 'b' },
      ],
      2,
    ],
  ])('%s', (_name, mapped, length) => {
    expect(toOps(mapped)).toHaveLength(length);
  });
});
