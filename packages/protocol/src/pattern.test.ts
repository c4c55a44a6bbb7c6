import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coversPattern, matchPattern } from './pattern.js';

describe('matchPattern', () => {
  it.each<[pattern: string, channel: string, expected: boolean]>([
    // concrete patterns match only themselves
    ['a', 'a', true],
    ['a.b.c', 'a.b.c', true],
    ['workflow.wf-123.step', 'workflow.wf-123.step', true],
    ['a.b', 'a.c', false],
    ['a.b', 'a', false], // pattern longer than the channel
    ['a', 'a.b', false], // channel longer than the pattern
    ['a.b.c', 'a.b', false],
    // prefix traps: a segment must be equal, not merely a prefix
    ['a', 'ab', false],
    ['ab', 'a', false],
    ['a.b', 'a.bc', false],
    ['a.bc', 'a.b', false],
    ['ab.c', 'a.bc', false], // same characters, different split
    ['a.b', 'ab', false],
    // case-sensitive
    ['A', 'a', false],
    ['workflow.X', 'workflow.x', false],
    // `*` is exactly one segment
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a', false], // `*` needs a segment to be there
    ['a.*', 'a.b.c', false],
    ['*.b', 'a.b', true],
    ['*.b', 'a.c', false],
    ['workflow.*.step', 'workflow.wf-1.step', true],
    ['workflow.*.step', 'workflow.wf-1.other', false],
    ['workflow.*.step', 'workflow.step', false],
    ['*.*', 'a.b', true],
    ['*.*', 'a.b.c', false],
    // `>` (last only) is one or more segments
    ['>', 'a', true],
    ['>', 'a.b.c.d', true],
    ['workflow.>', 'workflow.a', true],
    ['workflow.>', 'workflow.a.b.c', true],
    ['workflow.>', 'workflow', false], // `>` needs at least one segment
    ['workflow.>', 'workflows.a', false], // prefix trap on the literal before `>`
    ['workflow.>', 'other.a', false],
    ['a.*.>', 'a.b', false], // `*` takes b, `>` has nothing left
    ['a.*.>', 'a.b.c', true],
    ['*.>', 'a', false],
    ['*.>', 'a.b', true],
  ])('%s ~ %s → %s', (pattern, channel, expected) => {
    expect(matchPattern(pattern, channel)).toBe(expected);
  });
});

describe('coversPattern', () => {
  it.each<[grants: string[], pattern: string, expected: boolean]>([
    // `>` covers everything
    [['>'], 'a', true],
    [['>'], 'a.b.c', true],
    [['>'], '*', true],
    [['>'], '>', true],
    [['>'], 'user.*.x.>', true],
    // no grants cover nothing
    [[], 'a', false],
    [[], '>', false],
    // a literal grant covers itself only
    [['a.b'], 'a.b', true],
    [['a.b'], 'a.c', false],
    [['a.b'], 'a.b.c', false],
    [['a.b'], 'a', false],
    [['a.b'], 'a.*', false], // a literal covers one value of `*` out of infinitely many
    [['a.b'], 'a.>', false],
    [['a'], '*', false],
    // `*` grants
    [['a.*'], 'a.b', true],
    [['a.*'], 'a.*', true],
    [['a.*'], 'a.b.c', false],
    [['a.*'], 'a.>', false], // misses a.b.c
    [['*.b'], 'a.b', true],
    [['*.b'], '*.b', true],
    [['*.b'], '*.*', false],
    // `>` grants under a prefix
    [['a.>'], 'a.b', true],
    [['a.>'], 'a.*.c', true],
    [['a.>'], 'a.>', true],
    [['a.>'], 'a', false], // `a.>` does not match `a` itself
    [['a.>'], '>', false],
    [['a.>'], '*.b', false],
    [['a.*.>'], 'a.>', false], // misses a.b
    // unions count
    [['a.*', 'a.*.>'], 'a.>', true], // one or more = exactly one ∪ two or more
    [['a.*.>', 'a.*'], 'a.>', true], // order does not matter
    [['*', '*.>'], '>', true],
    [['a.*', 'a.*.*'], 'a.>', false], // misses a.b.c.d
    [['a.b', 'a.c'], 'a.*', false], // finitely many literals never cover `*`
    [['a.b', 'a.*'], 'a.*', true],
    [['a.b', 'b.>'], 'b.c.d', true],
    [['a.b', 'b.>'], 'c', false],
    [['x.>', 'a.*', 'a.*.>'], 'a.b.>', true],
    [['a.*.c', 'a.b.*'], 'a.b.c', true],
    [['a.*.c', 'a.b.*'], 'a.*.*', false], // misses a.x.y
    [['*.*.c', 'a.*.*'], 'a.*.c', true], // either grant alone covers it
  ])('%j covers %s → %s', (grants, pattern, expected) => {
    expect(coversPattern(grants, pattern)).toBe(expected);
  });
});

/** The naive reference matcher: split on '.', then recurse segment by segment. */
function referenceMatch(pattern: readonly string[], channel: readonly string[]): boolean {
  const [p, ...pRest] = pattern;
  if (p === undefined) return channel.length === 0;
  if (p === '>') return channel.length >= 1;
  const [c, ...cRest] = channel;
  if (c === undefined) return false;
  return (p === '*' || p === c) && referenceMatch(pRest, cRest);
}

/** A pattern from a small alphabet: literal or `*` segments, maybe ending in `>`. */
function patternArb(literals: readonly string[], maxBody: number): fc.Arbitrary<string[]> {
  return fc
    .tuple(
      fc.array(fc.constantFrom(...literals, '*'), { minLength: 0, maxLength: maxBody }),
      fc.boolean(),
    )
    .filter(([body, tail]) => body.length > 0 || tail)
    .map(([body, tail]) => (tail ? [...body, '>'] : body));
}

describe('matchPattern property', () => {
  // 'ab' shares a prefix with 'a' so the walk's length checks get exercised.
  const literals = ['a', 'b', 'ab'];
  const channelArb = fc.array(fc.constantFrom(...literals), { minLength: 1, maxLength: 5 });
  // Half the channels are instantiated from the pattern itself so that matches actually happen.
  const instantiated = (pattern: string[]): fc.Arbitrary<string[]> =>
    fc
      .tuple(
        fc.array(fc.constantFrom(...literals), {
          minLength: pattern.length,
          maxLength: pattern.length,
        }),
        fc.array(fc.constantFrom(...literals), { minLength: 0, maxLength: 2 }),
      )
      .map(([fill, extra]) => {
        const out = pattern.map((seg, i) =>
          seg === '*' || seg === '>' ? (fill[i] as string) : seg,
        );
        return pattern.at(-1) === '>' ? [...out, ...extra] : out;
      });
  const caseArb = patternArb(literals, 4).chain((pattern) =>
    fc.tuple(fc.constant(pattern), fc.oneof(channelArb, instantiated(pattern))),
  );

  it('agrees with a naive split-and-recurse matcher', () => {
    let matches = 0;
    let runs = 0;
    fc.assert(
      fc.property(caseArb, ([pattern, channel]) => {
        const expected = referenceMatch(pattern, channel);
        runs++;
        if (expected) matches++;
        expect(matchPattern(pattern.join('.'), channel.join('.'))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    // Both outcomes must be common, or the property proves little.
    expect(matches).toBeGreaterThan(runs / 5);
    expect(runs - matches).toBeGreaterThan(runs / 5);
  });
});

describe('coversPattern property', () => {
  // Grants and patterns use the literals a and b only, so 'z' stands for every other value:
  // any segment outside {a, b} is matched exactly by the `*`/`>` positions, whatever it is.
  // A channel longer than the longest pattern L only matches patterns ending in `>`, and
  // cutting it to L + 1 segments keeps every `>` pattern's verdict while still being too long
  // for any pattern without `>`. So channels of 1..L+1 segments over {a, b, z} are a
  // complete set of witnesses.
  const literals = ['a', 'b'];
  const alphabet = ['a', 'b', 'z'];

  function allChannels(maxSegments: number): string[][] {
    const out: string[][] = [];
    let layer: string[][] = [[]];
    for (let n = 1; n <= maxSegments; n++) {
      layer = layer.flatMap((prefix) => alphabet.map((s) => [...prefix, s]));
      out.push(...layer);
    }
    return out;
  }
  const channelsUpTo = [0, 1, 2, 3, 4, 5, 6].map(allChannels);

  function bruteForceCovers(grants: readonly string[][], pattern: readonly string[]): boolean {
    const longest = Math.max(pattern.length, ...grants.map((g) => g.length));
    const channels = channelsUpTo[longest + 1];
    if (channels === undefined) throw new Error(`no channel table for ${longest + 1} segments`);
    return channels.every(
      (ch) => !referenceMatch(pattern, ch) || grants.some((g) => referenceMatch(g, ch)),
    );
  }

  it('agrees with a brute-force check over every short channel', () => {
    let covered = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.array(patternArb(literals, 3), { minLength: 0, maxLength: 4 }),
        patternArb(literals, 3),
        (grants, pattern) => {
          const expected = bruteForceCovers(grants, pattern);
          runs++;
          if (expected) covered++;
          expect(
            coversPattern(
              grants.map((g) => g.join('.')),
              pattern.join('.'),
            ),
          ).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
    expect(covered).toBeGreaterThan(runs / 10);
    expect(runs - covered).toBeGreaterThan(runs / 10);
  });

  it('brute force itself sees the union case', () => {
    // Guards the reference: it must agree with the hand-checked rows above.
    expect(
      bruteForceCovers(
        [
          ['a', '*'],
          ['a', '*', '>'],
        ],
        ['a', '>'],
      ),
    ).toBe(true);
    expect(
      bruteForceCovers(
        [
          ['a', '*'],
          ['a', '*', '*'],
        ],
        ['a', '>'],
      ),
    ).toBe(false);
    expect(bruteForceCovers([['a', 'b']], ['a', '*'])).toBe(false);
  });
});
