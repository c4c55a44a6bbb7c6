/**
 * The nesting bound of an event's `data` (PROTOCOL.md §9, `max-data-depth`). Depth counts
 * containers: a scalar has depth 0, `{}` and `[]` depth 1, and each container inside another
 * adds 1, so `{"a":[1]}` has depth 2 and the default allows 64 containers deep, not 65.
 */

/** `max-data-depth` when none is configured. */
export const MAX_DATA_DEPTH_DEFAULT = 64;

/**
 * Is `value` nested deeper than `maxDepth`? Iterative with its own stack, so no input can
 * overflow the call stack (`JSON.parse` accepts millions of levels; `JSON.stringify` of a few
 * thousand throws RangeError), and it stops at the first container past the bound. A cycle
 * (only possible in data built in code) counts as too deep.
 */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (maxDepth < 1) return true;
  // Fast path, and the common payload: a container of scalars allocates nothing.
  if (!hasContainerChild(value)) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  for (;;) {
    const node = stack.pop();
    if (node === undefined) return false;
    const depth = depths.pop() as number;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child !== 'object' || child === null) continue;
        if (depth >= maxDepth) return true;
        stack.push(child);
        depths.push(depth + 1);
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key in record) {
        const child = record[key];
        if (typeof child !== 'object' || child === null) continue;
        if (depth >= maxDepth) return true;
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
}

function hasContainerChild(container: object): boolean {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const child: unknown = container[i];
      if (typeof child === 'object' && child !== null) return true;
    }
    return false;
  }
  const record = container as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (typeof child === 'object' && child !== null) return true;
  }
  return false;
}
