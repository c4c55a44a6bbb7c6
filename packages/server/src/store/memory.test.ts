import { describeChatStore } from './chat-store.contract.js';
import { MemoryStore } from './memory.js';
import type { StoreTargetFactory } from './store-kit.contract.js';
import { describeStoreLifecycle } from './store-lifecycle.contract.js';
import { describeStore } from './store.contract.js';
import { describePushStore } from './push-store.contract.js';
import { describeWebhookStore } from './webhook-store.contract.js';
import { describeFollowUpStore } from './follow-up-store.contract.js';

const newTarget: StoreTargetFactory = () =>
  Promise.resolve({ open: (options) => Promise.resolve(new MemoryStore(options)) });

describeStore('MemoryStore', newTarget);
describeWebhookStore('MemoryStore', newTarget);
describeStoreLifecycle('MemoryStore', newTarget, { durable: false });
describePushStore('MemoryStore', newTarget, { sharedTarget: false });
describeChatStore('MemoryStore', newTarget);
describeFollowUpStore('MemoryStore', newTarget, { sharedTarget: false });
