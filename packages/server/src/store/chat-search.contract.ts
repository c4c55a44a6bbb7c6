/**
 * Part of the `ChatStore` contract (see `chat-store.contract.ts`): search over edited, deleted
 * and multi-byte text, in a short room (read row by row) and in the history past the newest
 * `SEARCH_SCAN_ROWS` messages (read through a backend's search index), which must answer alike.
 */
import { describe, expect, it } from 'vitest';
import { chatSetup } from './chat-kit.contract.js';
import { SEARCH_SCAN_ROWS } from './chat-rows.js';
import type { StoreHarness } from './store-kit.contract.js';

export function describeChatSearch(harness: StoreHarness): void {
  describe('search index', () => {
    /** Sends the messages the cases look for, then `fill` others after them, then edits. */
    async function history(fill: number) {
      const { chat, org, say } = await chatSetup(harness);
      const plain = await say('ann', 'Zebra crossing ONE');
      const edited = await say('ann', 'zebra two');
      const deleted = await say('bob', 'zebra three');
      const cologne = await say('ann', 'Grüße aus Köln, zebra 🎉');
      for (let i = 0; i < fill; i++) await say('bob', `filler ${i}`);
      const newest = await say('cy', 'a ZEBRA at the end');
      await chat.edit(org, { room: 'general', user: 'ann', id: edited, text: 'giraffe two' });
      await chat.delete(org, { room: 'general', user: 'bob', id: deleted });
      const search = async (text: string, options: { limit?: number; before?: string } = {}) => {
        const page = await chat.search(org, 'general', 'cy', text, { limit: 10, ...options });
        return { ids: page.messages.map((m) => m.id), more: page.more };
      };
      return { search, plain, edited, cologne, newest };
    }

    it.each([
      ['a short room', 3],
      ['history past the scanned window', SEARCH_SCAN_ROWS + 5],
    ])('finds the current text only, multi-byte too, in %s', async (_label, fill) => {
      const { search, plain, edited, cologne, newest } = await history(fill);
      expect(await search('zebra')).toEqual({ ids: [newest, cologne, plain], more: false });
      // Pages cross from the newest messages into the older history without a gap.
      expect(await search('ZEBRA', { limit: 2 })).toEqual({ ids: [newest, cologne], more: true });
      expect(await search('zebra', { limit: 2, before: cologne })).toEqual({
        ids: [plain],
        more: false,
      });
      // An edit replaces what is found; a tombstone is found by nothing.
      expect(await search('giraffe')).toEqual({ ids: [edited], more: false });
      expect(await search('zebra two')).toEqual({ ids: [], more: false });
      expect(await search('three')).toEqual({ ids: [], more: false });
      // Case folds ASCII only, as it always did; a needle of one or two characters still works.
      expect(await search('köln')).toEqual({ ids: [cologne], more: false });
      expect(await search('KÖLN')).toEqual({ ids: [], more: false });
      expect(await search('üße')).toEqual({ ids: [cologne], more: false });
      expect(await search('🎉')).toEqual({ ids: [cologne], more: false });
      expect(await search('"zebra" OR')).toEqual({ ids: [], more: false });
      expect(await search('n, zebra "')).toEqual({ ids: [], more: false });
      expect(await search('n, zebra 🎉')).toEqual({ ids: [cologne], more: false });
    });
  });
}
