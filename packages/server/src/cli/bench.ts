/**
 * `hubcast bench`: the load generator lives in the `@hubcast/bench` workspace package, which
 * depends on the server; loading it by name at run time keeps the server free of that cycle.
 */
interface BenchModule {
  runBench(argv: readonly string[]): Promise<number>;
}

export async function runBenchCommand(argv: readonly string[]): Promise<number> {
  const name = '@hubcast/bench';
  let mod: BenchModule;
  try {
    mod = (await import(name)) as BenchModule;
  } catch (err) {
    process.stderr.write(
      `hubcast bench: cannot load ${name} (run it from the hubcast repository after npm install): ${(err as Error).message}\n`,
    );
    return 2;
  }
  return mod.runBench(argv);
}
