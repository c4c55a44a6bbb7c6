/**
 * `hubcast bench`: the load generator lives in the `@hubcast/bench` workspace package, which
 * depends on the server; loading it by name at run time keeps the server free of that cycle.
 */
import { wantsHelp } from './args.js';

interface BenchModule {
  runBench(argv: readonly string[]): Promise<number>;
}

export async function runBenchCommand(argv: readonly string[]): Promise<number> {
  const name = '@hubcast/bench';
  // The bench package knows its options; `-h` is spelled for it.
  const args = wantsHelp(argv) ? ['--help'] : argv;
  let mod: BenchModule;
  try {
    mod = (await import(name)) as BenchModule;
  } catch (err) {
    if (args[0] === '--help') {
      process.stdout.write(BENCH_HELP_WITHOUT_PACKAGE);
      return 0;
    }
    process.stderr.write(
      `hubcast bench: cannot load ${name} (run it from the hubcast repository after npm install): ${(err as Error).message}\n`,
    );
    return 2;
  }
  return mod.runBench(args);
}

const BENCH_HELP_WITHOUT_PACKAGE = `usage: hubcast bench [--smoke] [options]

Load test against a plain ws hub and Socket.IO. It runs from the hubcast repository (after
npm install), which holds the load generator; there, 'hubcast bench --help' lists its options.
`;
