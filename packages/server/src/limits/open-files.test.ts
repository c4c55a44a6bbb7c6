import { describe, expect, it } from 'vitest';
import { defaultMaxConnections, openFilesLimit } from './open-files.js';

const limits = (soft: string): string =>
  [
    'Limit                     Soft Limit           Hard Limit           Units',
    'Max processes             unlimited            unlimited            processes',
    `Max open files            ${soft}                20000                files`,
  ].join('\n');

describe('openFilesLimit', () => {
  it.each([
    [limits('20000'), 20000],
    [limits('1024'), 1024],
    [limits('unlimited'), undefined],
    ['garbage', undefined],
  ])('reads the soft limit', (text, expected) => {
    expect(openFilesLimit(text)).toBe(expected);
  });

  it('reads this process', () => {
    expect(openFilesLimit()).toBeGreaterThan(0);
  });
});

describe('defaultMaxConnections', () => {
  it.each([
    [20000, 19744],
    [100, 1], // never 0, which would read as no limit
    [undefined, 0],
  ])('%s files -> %s connections', (files, expected) => {
    expect(defaultMaxConnections(files)).toBe(expected);
  });
});
