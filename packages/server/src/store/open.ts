/** Opens the store `config.store` names, running its migrations first. */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { MemoryStore } from './memory.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export function openStore(config: Config, onProgress: (message: string) => void): Promise<Store> {
  switch (config.store) {
    case 'memory':
      return Promise.resolve(new MemoryStore());
    case 'postgres':
      // loadConfig refuses `postgres` without a URL.
      return PostgresStore.open({ url: config.postgresUrl ?? '', onProgress });
    case 'sqlite':
      return SqliteStore.open({
        path: join(config.dataDir, 'store.db'),
        synchronous: config.sqliteSync,
        onProgress,
      });
  }
}
