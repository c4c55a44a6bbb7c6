import { describe, expect, it } from 'vitest';
import { parseOptions } from '../cli/options.js';
import { roomMembers, type RoomsShape } from '../loadgen/rooms.js';
import type { TargetName } from '../results.js';
import { assembleScenarios, computeRatios, findProblems } from './assemble.js';
import type { RoundFigure } from './catalog.js';
import { createRoomBody } from './chat-rooms.js';
import { leftOut, type Collected } from './rounds.js';
import type { RunState } from './session.js';
import { computeVariantRatios, figureKeys } from './variants.js';

const CLEAN = { p99Ms: 5, failed: 0, unsent: 0, stray: 0, refused: 0 };

function round(metrics: Record<string, number>, extra: Partial<RoundFigure> = {}): RoundFigure {
  return {
    metrics,
    lost: 0,
    duplicated: 0,
    generatorCpu: 0.5,
    targetCpu: 0.9,
    generatorBound: false,
    ...extra,
  };
}

/** How the rounds runner files them: `chat`'s figures under `rooms`, variant `chat`. */
function rooms(byTarget: Partial<Record<TargetName, RoundFigure[]>>): Collected {
  return new Map([['rooms', new Map(Object.entries(byTarget) as [TargetName, RoundFigure[]][])]]);
}

const chat = (p99Ms: number, extra: Partial<RoundFigure> = {}): RoundFigure =>
  round({ ...CLEAN, p99Ms }, { variant: 'chat', ...extra });

describe('chat: rooms through the chat service', () => {
  const options = parseOptions(['--targets', 'hubcast,ws', '--scenarios', 'rooms,chat']);

  it('is a hubcast variant of rooms', () => {
    expect(figureKeys('chat', options)).toEqual([{ target: 'hubcast', variant: 'chat' }]);
    expect(figureKeys('chat', parseOptions(['--targets', 'ws']))).toEqual([]);
  });

  it('sits next to the raw publishes of hubcast, with the ratio chat / publish', () => {
    const scenarios = assembleScenarios(
      rooms({
        hubcast: [round({ ...CLEAN, p99Ms: 4 }), chat(12), round({ ...CLEAN, p99Ms: 6 }), chat(8)],
        ws: [round({ ...CLEAN, p99Ms: 2 })],
      }),
      options,
    );
    expect(scenarios).toHaveLength(1);
    const sc = scenarios[0];
    expect(sc?.id).toBe('rooms');
    expect(sc?.connections).toBe(5000);
    expect(sc?.title).toMatch(/published by the clients, and sent through hubcast's chat service/);
    expect(sc?.targets.map((t) => [t.target, t.variant, t.median['p99Ms']])).toEqual([
      ['hubcast', undefined, 5],
      ['hubcast', 'chat', 10],
      ['ws', undefined, 2],
    ]);
    // The peers are compared with hubcast's raw publishes, the chat service with them.
    expect(computeRatios(scenarios)).toEqual({ rooms: { ws: 2.5 } });
    expect(computeVariantRatios(scenarios)).toEqual({
      rooms: [{ numerator: 'chat', denominator: 'publish', ratio: 2 }],
    });
    expect(findProblems(scenarios, options)).toEqual([]);
  });

  it('names missing figures, losses, refused sends and stray events of the chat variant', () => {
    const bad = chat(9, { lost: 3, metrics: { ...CLEAN, refused: 2, stray: 1 } });
    const scenarios = assembleScenarios(
      rooms({ hubcast: [round(CLEAN), bad], ws: [round(CLEAN)] }),
      options,
    );
    expect(findProblems(scenarios, options)).toEqual([
      'chat hubcast: 3 deliveries lost',
      'chat hubcast: 1 events reached a connection outside their room',
      'chat hubcast: 2 chat.send calls refused',
    ]);
    expect(computeVariantRatios(scenarios)).toEqual({}); // a side that lost events has no ratio
    const noChat = assembleScenarios(
      rooms({ hubcast: [round(CLEAN)], ws: [round(CLEAN)] }),
      options,
    );
    expect(findProblems(noChat, options)).toEqual(['chat hubcast: no figures']);
  });

  it('alone: the rooms scenario holds the chat figures only, and is checked', () => {
    const alone = parseOptions(['--targets', 'hubcast', '--scenarios', 'chat']);
    const scenarios = assembleScenarios(rooms({ hubcast: [chat(7)] }), alone);
    expect(scenarios[0]?.targets.map((t) => t.variant)).toEqual(['chat']);
    expect(scenarios[0]?.title).toMatch(/messages\/s sent through hubcast's chat service/);
    expect(findProblems(scenarios, alone)).toEqual([]);
    expect(findProblems([], alone)).toEqual(['chat hubcast: no figures']);
  });

  it('is left out, not failed, when hubcast is not a target', () => {
    const wsOnly = parseOptions(['--targets', 'ws', '--scenarios', 'chat']);
    expect(findProblems([], wsOnly)).toEqual([]);
    expect(leftOut({ options: wsOnly } as RunState)).toEqual([
      'chat left out: hubcast alone is measured, and --targets has no hubcast.',
    ]);
  });

  it('creates each room with its users as members, in the bench tenant', () => {
    const shape: RoomsShape = { users: 50, devices: 2, rooms: 10, roomsPerUser: 2 };
    const body = JSON.parse(createRoomBody(shape, 'bench', 3)) as Record<string, unknown>;
    expect(body).toEqual({
      org: 'bench',
      room: 'r3',
      members: roomMembers(shape, 3).map((u) => `u${u}`),
    });
    expect((body['members'] as string[]).length).toBe(10);
  });
});
