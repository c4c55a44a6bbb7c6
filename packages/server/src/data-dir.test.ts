import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirError, ensureDataDir, makeDirectory } from './data-dir.js';

const root = mkdtempSync(join(tmpdir(), 'hubcast-data-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const file = join(root, 'a-file');
writeFileSync(file, 'x');
symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));

describe('makeDirectory', () => {
  it('creates every missing level and accepts an existing directory', () => {
    const dir = join(root, 'x', 'y', 'z');
    makeDirectory(dir);
    makeDirectory(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it.each([
    // Node's recursive mkdir loops forever on these two.
    ['/proc/hubcast-x/y', 'ENOENT'],
    [join(root, 'dangling', 'sub'), 'EEXIST'],
    [join(file, 'sub'), 'ENOTDIR'],
  ])('gives up on %s with %s', (dir, code) => {
    expect(() => makeDirectory(dir)).toThrow(expect.objectContaining({ code }) as Error);
  });
});

describe('ensureDataDir', () => {
  it('leaves a usable dir as it found it', () => {
    const dir = join(root, 'data');
    ensureDataDir(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['/proc/hubcast-x', /^data dir \/proc\/hubcast-x: cannot create it \(ENOENT/],
    ['/proc', /^data dir \/proc: cannot create a file in it \(ENOENT/],
    [file, /: it is a file, not a directory$/],
    [join(file, 'sub'), /: cannot create it \(ENOTDIR: not a directory\)$/],
  ])('refuses %s', (dir, message) => {
    expect(() => ensureDataDir(dir)).toThrow(DataDirError);
    expect(() => ensureDataDir(dir)).toThrow(message);
  });
});
