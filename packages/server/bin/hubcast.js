#!/usr/bin/env node
// Thin shim so the bin exists before the first build; the CLI lives in dist/.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`hubcast: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
