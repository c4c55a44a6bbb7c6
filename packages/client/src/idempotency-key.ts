/**
 * A random publish key (docs/protocol.md §2.4), so a publish retried after a reconnect is stored
 * once. Uses `crypto.randomUUID` where the platform has it (browsers in secure contexts, Node
 * 19+), else 128 bits from `Math.random`: collisions only need to be unlikely within one
 * tenant's retention window, not unguessable.
 */
export function randomKey(): string {
  const c: { randomUUID?: () => string } | undefined =
    typeof globalThis.crypto === 'object' ? globalThis.crypto : undefined;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  let key = '';
  for (let i = 0; i < 4; i++)
    key += Math.floor(Math.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return key;
}
