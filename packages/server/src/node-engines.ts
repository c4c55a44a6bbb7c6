/**
 * The log and store of one node, and which of them the node owns: one it opened itself is
 * closed by stop() and opened again by start(), except the memory ones, which outlive stop() so
 * a node restarted in one process keeps its history. Outside start()..stop() a durable log or
 * store is closed, and asking for it throws: nothing may reopen one behind stop's back.
 */
import type { Config } from './config/schema.js';
import { ensureDataDir } from './data-dir.js';
import { EngineUnavailableError } from './engine-error.js';
import { createLog, openLog as openEventLog } from './engines.js';
import type { EventLog } from './log/log.js';
import { MemoryEventLog } from './log/memory.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

export class NodeEngines {
  private readonly ownsLog: boolean;
  private readonly ownsStore: boolean;
  private openLog: EventLog | undefined;
  private store: Store | undefined;

  constructor(
    private readonly config: Config,
    given: { log?: EventLog | undefined; store?: Store | undefined },
  ) {
    this.ownsLog = given.log === undefined;
    this.ownsStore = given.store === undefined;
    const embedded = config.engine === 'embedded';
    this.openLog =
      given.log ?? (embedded && config.log === 'memory' ? createLog(config) : undefined);
    this.store = given.store;
  }

  /** The open log; throws `EngineUnavailableError` outside start()..stop(). */
  readonly log = (): EventLog => {
    if (this.openLog === undefined) throw new EngineUnavailableError('log', 'not open');
    return this.openLog;
  };

  /** The open store; throws `EngineUnavailableError` outside start()..stop(). */
  readonly currentStore = (): Store => {
    if (this.store === undefined) throw new EngineUnavailableError('store', 'not open');
    return this.store;
  };

  /** Opens what is not open yet (start()); the migrations report through `progress`. */
  async open(nodeId: string, progress: (message: string) => void): Promise<void> {
    const { config } = this;
    // Checked before SQLite opens anything there, so a bad dir fails with a sentence.
    if (
      (this.ownsLog && config.engine === 'embedded' && config.log === 'sqlite') ||
      (this.ownsStore && config.store === 'sqlite')
    )
      ensureDataDir(config.dataDir);
    this.openLog ??= await openEventLog(config, nodeId, progress);
    this.store ??= await openStore(config, progress);
  }

  /** Closes the log and store this node opened; the memory ones outlive a restart. */
  async release(): Promise<void> {
    if (this.ownsStore && this.config.store !== 'memory') {
      const closing = this.store;
      this.store = undefined;
      await closing?.close();
    }
    if (this.ownsLog && !(this.openLog instanceof MemoryEventLog)) {
      const closing = this.openLog;
      this.openLog = undefined;
      await closing?.close();
    }
  }
}
