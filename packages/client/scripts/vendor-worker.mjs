// Copies the built SDK and @hubcast/protocol into dist/worker/ with the bare
// '@hubcast/protocol' imports made relative: a module worker does not get the page's import
// map, so the worker's module graph must resolve without one (no bundler needed by users).
import {
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const out = join(dist, 'worker');
const protocolDist = dirname(createRequire(import.meta.url).resolve('@hubcast/protocol'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The copies ship without their source maps, so their map comments would only send dev
// servers (Vite) looking for files that are not there.
const withoutMapComment = (code) => code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');

cpSync(protocolDist, join(out, 'protocol'), {
  recursive: true,
  filter: (p) => !p.endsWith('.map'),
});
for (const file of readdirSync(join(out, 'protocol'), { recursive: true })) {
  const path = join(out, 'protocol', String(file));
  if (path.endsWith('.js')) writeFileSync(path, withoutMapComment(readFileSync(path, 'utf8')));
}

function copy(from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (src === out) continue;
    if (statSync(src).isDirectory()) {
      copy(src, join(to, name));
      continue;
    }
    if (!name.endsWith('.js')) continue;
    let rel = relative(to, join(out, 'protocol', 'index.js'))
      .split(sep)
      .join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    const code = withoutMapComment(readFileSync(src, 'utf8')).replace(
      /(from\s*|import\s*\(?\s*)'@hubcast\/protocol'/g,
      `$1'${rel}'`,
    );
    writeFileSync(join(to, name), code);
  }
}
copy(dist, out);
