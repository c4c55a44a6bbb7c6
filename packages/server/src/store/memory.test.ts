import { MemoryStore } from './memory.js';
import { describeStore } from './store.contract.js';

describeStore(
  'MemoryStore',
  () => Promise.resolve({ open: (options) => Promise.resolve(new MemoryStore(options)) }),
  { durable: false },
);
