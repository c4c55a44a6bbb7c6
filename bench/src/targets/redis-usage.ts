/**
 * What Redis itself spent, from `INFO stats cpu commandstats` read before and after a window:
 * the per-publish costs a capacity model of the Redis engine needs (issue 11). Pure.
 */

/** Counters of one `INFO` reply. */
export interface RedisUsage {
  /**
   * `total_commands_processed`, what `instantaneous_ops_per_sec` counts: in Redis 7 the calls a
   * Lua script makes count too (an append is its EVALSHA and the six calls it makes).
   */
  commands: number;
  /** `used_cpu_user` + `used_cpu_sys` of the server process, in µs. */
  cpuMicros: number;
  /** `total_net_input_bytes` / `total_net_output_bytes`: every client connection, pub/sub included. */
  netInBytes: number;
  netOutBytes: number;
  /** `commandstats` calls per command (lower case), a script's own calls included. */
  calls: Record<string, number>;
  /**
   * Bytes of the `INFO` exchange that took this reading: the server counts them only after it
   * answered, so they land in the next reading's window and are taken out of it.
   */
  probeInBytes: number;
  probeOutBytes: number;
}

/** `key:value` lines of an `INFO` reply; `# Section` headers and blank lines skipped. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

/** The counters of an `INFO stats cpu commandstats` reply, and the bytes of its exchange. */
export function readUsage(
  info: string,
  probe: { inBytes: number; outBytes: number } = { inBytes: 0, outBytes: 0 },
): RedisUsage {
  const fields = parseInfo(info);
  const num = (key: string): number => {
    const v = Number(fields.get(key));
    if (!Number.isFinite(v)) throw new Error(`redis INFO has no '${key}'`);
    return v;
  };
  const calls: Record<string, number> = {};
  for (const [key, value] of fields) {
    if (!key.startsWith('cmdstat_')) continue;
    // `cmdstat_evalsha:calls=12,usec=340,…`; subcommands read `cmdstat_client|list`.
    const m = /(?:^|,)calls=(\d+)/.exec(value);
    if (m !== null) calls[key.slice('cmdstat_'.length)] = Number(m[1]);
  }
  return {
    commands: num('total_commands_processed'),
    cpuMicros: Math.round((num('used_cpu_user') + num('used_cpu_sys')) * 1e6),
    netInBytes: num('total_net_input_bytes'),
    netOutBytes: num('total_net_output_bytes'),
    calls,
    probeInBytes: probe.inBytes,
    probeOutBytes: probe.outBytes,
  };
}

/**
 * Redis's work per publish between two readings, as metrics. The `INFO` that took `before` is
 * counted in the window (a command is counted once done), so INFO calls are left out of the
 * command count and its bytes out of the byte counts. `redisCalls_<command>`: calls of that
 * command per publish (commandstats), for those called at least once per 100 publishes.
 */
export function usagePerPublish(
  before: RedisUsage,
  after: RedisUsage,
  publishes: number,
): Record<string, number> {
  if (publishes <= 0) return {};
  const per = (n: number): number => n / publishes;
  const delta = (cmd: string): number => (after.calls[cmd] ?? 0) - (before.calls[cmd] ?? 0);
  const byCommand: Record<string, number> = {};
  for (const cmd of Object.keys(after.calls).sort()) {
    const n = delta(cmd);
    if (cmd !== 'info' && per(n) >= 0.01) byCommand[`redisCalls_${cmd}`] = per(n);
  }
  return {
    redisCommandsPerPublish: per(after.commands - before.commands - delta('info')),
    redisCpuPerPublishUs: per(after.cpuMicros - before.cpuMicros),
    redisInBytesPerPublish: per(after.netInBytes - before.netInBytes - before.probeInBytes),
    redisOutBytesPerPublish: per(after.netOutBytes - before.netOutBytes - before.probeOutBytes),
    ...byCommand,
  };
}
