/**
 * Packs the published packages with `npm pack` and installs the tarballs into a fresh project
 * outside the repository, the way a user installs them, without the network.
 *
 * The third-party dependencies come from the npm cache, pinned to the versions of the
 * repository's package-lock.json: npm's `install` asks for full registry documents, which the
 * cache of an `npm install` from a lock file does not hold, while `npm ci` of a lock file needs
 * only the cached tarballs. So the project is made in two steps: `npm ci --offline` of a lock
 * file cut from ours (exactly the packages that resolving our dependencies reaches), then a
 * plain `npm install --offline` of the three tarballs, which resolves `@hubcast/*` among
 * themselves and finds every other dependency in place.
 *
 * Install scripts are skipped: better-sqlite3 would compile SQLite from source (about a
 * minute). Its addon is copied from the repository's copy, which is the same version by
 * construction; bufferutil ships prebuilt binaries and needs no script.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const PUBLISHED = ['protocol', 'client', 'server', 'vue', 'react'] as const;

const execFileAsync = promisify(execFile);

/**
 * npm as a user runs it: under `npm test` or `npx vitest` the environment carries the repo's
 * npm settings (`npm_config_*`), which would leak into the fresh project's installs.
 */
function npm(args: readonly string[], cwd: string): Promise<{ stdout: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
  return execFileAsync('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
}

export interface PackedTarball {
  name: string;
  version: string;
  filename: string;
  /** Paths inside the tarball, relative to the package root. */
  files: string[];
}

interface PackJson {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** `npm pack` of every published package into `destDir` (its `prepack` builds `dist`). */
export async function packPublished(destDir: string): Promise<PackedTarball[]> {
  const workspaces = PUBLISHED.flatMap((p) => ['-w', `packages/${p}`]);
  const { stdout } = await npm(
    ['pack', ...workspaces, '--pack-destination', destDir, '--json', '--loglevel=error'],
    REPO_ROOT,
  );
  return (JSON.parse(stdout) as PackJson[]).map((p) => ({
    name: p.name,
    version: p.version,
    filename: join(destDir, p.filename),
    files: p.files.map((f) => f.path),
  }));
}

/**
 * A project in `dir` with the tarballs installed. `extraDependencies` are further packages of
 * our lock file the project itself uses (`ws` for the client in Node, `@types/node`).
 */
export async function installFreshProject(
  dir: string,
  tarballs: readonly PackedTarball[],
  extraDependencies: readonly string[],
): Promise<void> {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const wanted = new Set(extraDependencies);
  for (const p of PUBLISHED) {
    const manifest = JSON.parse(
      readFileSync(join(REPO_ROOT, 'packages', p, 'package.json'), 'utf8'),
    ) as Manifest;
    for (const name of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
    }))
      if (!name.startsWith('@hubcast/')) wanted.add(name);
  }
  const entries = reachableEntries(lock.packages, wanted);
  const dependencies: Record<string, string> = {};
  for (const name of wanted) dependencies[name] = entries[`node_modules/${name}`]?.version ?? '';
  const root = { name: 'fresh-project', version: '1.0.0', dependencies };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ ...root, private: true, type: 'module' }, null, 2),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify(
      { ...root, lockfileVersion: 3, requires: true, packages: { '': root, ...entries } },
      null,
      2,
    ),
  );
  const offline = ['--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  await npm(['ci', ...offline], dir);
  await npm(['install', ...offline, ...tarballs.map((t) => t.filename)], dir);
  copyNativeAddon(dir, 'better-sqlite3', 'build/Release/better_sqlite3.node');
}

/** The lock entries that Node's resolution reaches from the root's `names`, keyed by path. */
function reachableEntries(
  packages: Record<string, LockEntry>,
  names: ReadonlySet<string>,
): Record<string, LockEntry> {
  const found: Record<string, LockEntry> = {};
  const queue: [string, string][] = [...names].map((name) => ['', name]);
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const [from, name] = next;
    const path = resolveInLock(packages, from, name);
    if (path === undefined) throw new Error(`${name} (needed by '${from}') is not in the lock`);
    if (found[path] !== undefined) continue;
    const entry = packages[path] as LockEntry;
    found[path] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }))
      queue.push([path, dep]);
  }
  return found;
}

/** Node's lookup: `from/node_modules/name`, then each enclosing `node_modules` up to the root. */
function resolveInLock(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

function copyNativeAddon(dir: string, name: string, addon: string): void {
  const version = (path: string): string =>
    (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version: string }).version;
  const from = join(REPO_ROOT, 'node_modules', name);
  const to = join(dir, 'node_modules', name);
  if (version(from) !== version(to))
    throw new Error(`${name}: the repository has ${version(from)}, the project ${version(to)}`);
  mkdirSync(join(to, addon, '..'), { recursive: true });
  cpSync(join(from, addon), join(to, addon));
}
