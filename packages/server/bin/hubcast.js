#!/usr/bin/env node
// Thin shim so the bin exists before the first build; the CLI lives in dist/.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  // Exit explicitly: after a drain, a stray handle must not keep the process alive.
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (err) => {
    process.stderr.write(`hubcast: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
