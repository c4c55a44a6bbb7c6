/** Minimal `--flag value` / `--flag=value` / repeated-flag parsing for the CLI. */
export interface ParsedArgs {
  flags: Map<string, string[]>;
  bare: Set<string>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], booleanFlags: ReadonlySet<string>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const bare = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && !booleanFlags.has(name)) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined) {
      bare.add(name);
      continue;
    }
    const list = flags.get(name) ?? [];
    list.push(value);
    flags.set(name, list);
  }
  return { flags, bare, positionals };
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  if (v.length > 1) throw new Error(`--${name} given more than once`);
  return v[0];
}

/** `--help` or `-h` anywhere: print the command's usage and act on nothing else. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
