import { describe, expect, it } from 'vitest';
import { encodeCommand, parseReply } from './resp.js';
import { parseInfo, readUsage, usagePerPublish, type RedisUsage } from './redis-usage.js';

describe('RESP', () => {
  it('encodes a command as an array of bulk strings, lengths in bytes', () => {
    expect(encodeCommand(['INFO', 'cpu'])).toBe('*2\r\n$4\r\nINFO\r\n$3\r\ncpu\r\n');
    expect(encodeCommand(['SET', 'k', 'é'])).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });

  it.each([
    ['+PONG\r\n', 'PONG'],
    ['-ERR unknown command\r\n', { error: 'ERR unknown command' }],
    [':42\r\n', 42],
    ['$5\r\nhello\r\n', 'hello'],
    ['$-1\r\n', null],
    ['$5\r\nhel', undefined], // incomplete: wait for more
    ['+PON', undefined],
    ['$6\r\na\r\nb:c\r\n', 'a\r\nb:c'], // a bulk string may hold CRLF
  ])('reads %j', (text, value) => {
    expect(parseReply(Buffer.from(text))).toEqual(value);
  });

  it('refuses a reply type it does not read', () => {
    expect(() => parseReply(Buffer.from('*1\r\n'))).toThrow(/unexpected RESP reply type/);
  });
});

const INFO = [
  '# Stats',
  'total_connections_received:9',
  'total_commands_processed:1000',
  'total_net_input_bytes:50000',
  'total_net_output_bytes:30000',
  '',
  '# CPU',
  'used_cpu_sys:1.500000',
  'used_cpu_user:2.250000',
  '',
  '# Commandstats',
  'cmdstat_evalsha:calls=100,usec=900,usec_per_call=9.00,rejected_calls=0,failed_calls=0',
  'cmdstat_publish:calls=100,usec=300,usec_per_call=3.00,rejected_calls=0,failed_calls=0',
  'cmdstat_client|setname:calls=3,usec=3,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=2,usec=80,usec_per_call=40.00,rejected_calls=0,failed_calls=0',
].join('\r\n');

describe('INFO', () => {
  it('reads key:value lines, skipping headers and blanks', () => {
    const m = parseInfo(INFO);
    expect(m.get('total_commands_processed')).toBe('1000');
    expect(m.get('used_cpu_sys')).toBe('1.500000');
    expect(m.has('# Stats')).toBe(false);
  });

  it('reads the counters the cost model needs', () => {
    expect(readUsage(INFO, { inBytes: 40, outBytes: 2000 })).toEqual({
      commands: 1000,
      cpuMicros: 3_750_000,
      netInBytes: 50_000,
      netOutBytes: 30_000,
      calls: { evalsha: 100, publish: 100, 'client|setname': 3, info: 2 },
      probeInBytes: 40,
      probeOutBytes: 2000,
    });
  });

  it('names a missing counter', () => {
    expect(() => readUsage('# Stats\r\n')).toThrow(/no 'total_commands_processed'/);
  });
});

describe('usagePerPublish', () => {
  const at = (over: Partial<RedisUsage>): RedisUsage => ({
    commands: 0,
    cpuMicros: 0,
    netInBytes: 0,
    netOutBytes: 0,
    calls: {},
    probeInBytes: 0,
    probeOutBytes: 0,
    ...over,
  });

  it('divides the growth by the publishes, without the INFO that took the first reading', () => {
    const before = at({
      commands: 10,
      cpuMicros: 1000,
      netInBytes: 500,
      netOutBytes: 700,
      calls: { evalsha: 1, info: 1 },
      probeInBytes: 40,
      probeOutBytes: 2000,
    });
    const after = at({
      commands: 10 + 700 + 1, // 100 scripts of 7 calls, and the first INFO
      cpuMicros: 1000 + 5800,
      netInBytes: 500 + 41_000 + 40,
      netOutBytes: 700 + 25_000 + 2000,
      calls: { evalsha: 101, xadd: 100, info: 2, ping: 0 },
    });
    expect(usagePerPublish(before, after, 100)).toEqual({
      redisCommandsPerPublish: 7,
      redisCpuPerPublishUs: 58,
      redisInBytesPerPublish: 410,
      redisOutBytesPerPublish: 250,
      redisCalls_evalsha: 1,
      redisCalls_xadd: 1,
      // ping: not called, left out
    });
  });

  it('has nothing to say about no publishes', () => {
    expect(usagePerPublish(at({}), at({ commands: 5 }), 0)).toEqual({});
  });
});
