/**
 * The presence keys (docs/presence.md §10): each from a flag, the environment or the file, the
 * grace period 0 allowed, and out-of-range values refused naming the key.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigSources } from './load.js';

const VERIFIED = { jwtSecret: 'unit-test-secret-0123456789' };
const load = (sources: ConfigSources) =>
  loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } });

describe('presence configuration', () => {
  it('has defaults: a 5 s grace period, 100 members, 1024-byte info', () => {
    const config = load({});
    expect(config.presenceLeaveDelay).toBe(5);
    expect(config.presenceMembersMax).toBe(100);
    expect(config.presenceInfoMaxBytes).toBe(1024);
  });

  it.each<[label: string, sources: ConfigSources, expected: number]>([
    ['the flag', { flags: { 'presence-leave-delay': '0.5' } }, 0.5],
    ['the environment, 0 (leave at once)', { env: { HUBCAST_PRESENCE_LEAVE_DELAY: '0' } }, 0],
    ['the file', { file: { presenceLeaveDelay: 30 } }, 30],
  ])('reads the grace period from %s', (_label, sources, expected) => {
    expect(load(sources).presenceLeaveDelay).toBe(expected);
  });

  it.each<[label: string, sources: ConfigSources, expected: number]>([
    ['the flag', { flags: { 'presence-members-max': '20' } }, 20],
    ['the environment', { env: { HUBCAST_PRESENCE_MEMBERS_MAX: '500' } }, 500],
    ['the file', { file: { presenceMembersMax: 1 } }, 1],
  ])('reads the member cap from %s', (_label, sources, expected) => {
    expect(load(sources).presenceMembersMax).toBe(expected);
  });

  it('reads the info cap from the environment', () => {
    expect(load({ env: { HUBCAST_PRESENCE_INFO_MAX_BYTES: '4096' } }).presenceInfoMaxBytes).toBe(
      4096,
    );
  });

  it.each<[label: string, sources: ConfigSources, named: string]>([
    [
      'a negative grace period',
      { flags: { 'presence-leave-delay': '-1' } },
      '--presence-leave-delay',
    ],
    [
      'a member cap of 0',
      { env: { HUBCAST_PRESENCE_MEMBERS_MAX: '0' } },
      'HUBCAST_PRESENCE_MEMBERS_MAX',
    ],
    ['a fractional member cap', { file: { presenceMembersMax: 2.5 } }, "'presenceMembersMax'"],
    [
      'an info cap past 64 KiB',
      { file: { presenceInfoMaxBytes: 65537 } },
      "'presenceInfoMaxBytes'",
    ],
  ])('refuses %s, naming the key', (_label, sources, named) => {
    expect(() => load(sources)).toThrow(ConfigError);
    expect(() => load(sources)).toThrow(named);
  });
});
