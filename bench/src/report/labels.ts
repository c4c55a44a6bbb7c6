/** How the report names and colors targets and their variants, and its section anchors. */
import type { TargetFigures, TargetName } from '../results.js';
import { escapeHtml as esc } from './format.js';

/** Targets in the order every chart and table shows them. */
export const TARGETS: readonly TargetName[] = ['hubcast', 'ws', 'socketio'];

const TARGET_LABEL: Record<TargetName, string> = {
  hubcast: 'hubcast',
  ws: 'ws',
  socketio: 'Socket.IO',
};

export function targetLabel(target: string): string {
  return TARGET_LABEL[target as TargetName] ?? target;
}

/**
 * `polling`'s variants are not configurations of hubcast: one is hubcast pushing, the other a
 * REST server over PostgreSQL with hubcast not running (issue 13).
 */
const VARIANT_LABEL: Readonly<Record<string, string>> = {
  push: 'hubcast push',
  polling: 'REST polling',
};

/** `hubcast`, or `hubcast · sqlite` for one configuration of a scenario that compares them. */
export function figureLabel(t: TargetFigures): string {
  const own = t.variant === undefined ? undefined : VARIANT_LABEL[t.variant];
  if (own !== undefined) return own;
  return t.variant === undefined
    ? targetLabel(t.target)
    : `${targetLabel(t.target)} · ${t.variant}`;
}

/** A variant after the first takes a lighter shade of its target's color. */
export function figureSeries(t: TargetFigures, targets: readonly TargetFigures[]): string {
  if (t.variant === undefined) return t.target;
  const i = targets.filter((x) => x.target === t.target).indexOf(t);
  return i <= 0 ? t.target : `${t.target}-alt${Math.min(i, 2)}`;
}

export function anchor(id: string): string {
  return esc(`scenario-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}
