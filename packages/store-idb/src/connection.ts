/**
 * The store's connection to its database, opened on first use and again after the browser or
 * another tab closed it. Every way an open goes wrong ends in a StoreError, within
 * `openTimeoutMs`:
 *
 * - no IndexedDB (`indexedDB` undefined: an old browser, a worker without it, Node), or `open`
 *   throwing (some private modes): `unavailable`, and the next call tries again;
 * - another tab holds the database open at an older version and does not close it (code that
 *   ignores `versionchange`): the upgrade is `blocked`. The open is left running: once that tab
 *   lets go, it completes and the next call uses it;
 * - another tab upgraded the database past this code's version: `version`, for good (this code
 *   cannot read a newer layout; the page must reload to get newer code).
 *
 * This connection is the polite side of the same story: when another tab asks for an upgrade or a
 * deletion (`versionchange`, idb's `blocking`), it closes at once, and the next call reopens.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { ResolvedOptions } from './options.js';
import { upgrade, type Schema, type StoreDatabase, type StoreSchema } from './schema.js';
import { asStoreError, StoreError } from './store-error.js';

type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;

/** The connection of one store (see the file's comment). */
export class Connection {
  private database: StoreDatabase | undefined;
  /** The open under way (it may outlive the calls that gave up on it). */
  private opening: Promise<StoreDatabase> | undefined;
  /** Set when another tab blocks the open: the reason given if the wait times out. */
  private blockedBy: number | undefined;
  /** What a migration threw, for the open's rejection. */
  private upgradeFailure: unknown;
  /** A failure for good: every call rejects with it. */
  private ended: StoreError | undefined;

  constructor(
    readonly databaseName: string,
    private readonly schema: Schema,
    private readonly options: ResolvedOptions,
  ) {}

  /** The open database, if it is open right now (undefined once another tab's upgrade made it let go). */
  get current(): StoreDatabase | undefined {
    return this.database;
  }

  /** The open database; opens it if needed. Rejects with a StoreError, within `openTimeoutMs`. */
  async get(): Promise<StoreDatabase> {
    if (this.ended !== undefined) throw this.ended;
    if (this.database !== undefined) return this.database;
    this.opening ??= this.open(); // throws at once when there is no IndexedDB to open: nothing is kept
    return await this.within(this.opening);
  }

  /** Closes the database for good: later calls reject with a `closed` StoreError. */
  close(): void {
    this.ended ??= new StoreError('closed', `store ${this.databaseName} is closed`);
    this.database?.close();
    this.database = undefined;
    void this.opening?.then((database) => database.close(), () => {});
  }

  private open(): Promise<StoreDatabase> {
    const factory = (globalThis as { indexedDB?: IDBFactory | null }).indexedDB;
    if (factory === undefined || factory === null) {
      throw new StoreError('unavailable', `store ${this.databaseName}: IndexedDB is not available here (indexedDB is undefined)`);
    }
    let request: Promise<StoreDatabase>;
    try {
      request = openDB<StoreSchema>(this.databaseName, this.schema.version, {
        upgrade: (database, oldVersion, _newVersion, transaction) => this.upgrade(database, oldVersion, transaction),
        blocked: (currentVersion) => { this.blockedBy = currentVersion; },
        blocking: () => this.letGo(),
        terminated: () => this.lost(),
      });
    } catch (error) {
      throw new StoreError('unavailable', `store ${this.databaseName}: IndexedDB refused to open (private browsing?): ${describe(error)}`, error);
    }
    return request.then(
      (database) => {
        this.opening = undefined;
        this.blockedBy = undefined;
        if (this.ended !== undefined) {
          database.close();
          throw this.ended;
        }
        this.database = database;
        return database;
      },
      (error: unknown) => {
        this.opening = undefined;
        this.blockedBy = undefined;
        const failure = this.upgradeFailure === undefined
          ? asStoreError(error, `store ${this.databaseName}: could not open the database`)
          : asStoreError(this.upgradeFailure, `store ${this.databaseName}: could not upgrade the database to version ${this.schema.version}`);
        this.upgradeFailure = undefined;
        if (failure.reason === 'version') this.ended = failure;
        throw failure;
      },
    );
  }

  /**
   * idb's `upgrade` callback. A migration that throws aborts the upgrade (the database stays at its
   * old version, untouched) and becomes the cause of the open's StoreError, rather than an
   * uncaught exception in an IndexedDB event handler.
   */
  private upgrade(database: StoreDatabase, oldVersion: number, transaction: IDBPTransaction<StoreSchema, Array<'views' | 'checkpoints'>, 'versionchange'>): void {
    // idb makes this promise for every upgrade transaction; an aborted upgrade rejects it, and the
    // open's own rejection says why.
    transaction.done.catch(() => {});
    try {
      // The migrations see the untyped database: they build the layout the typed schema describes.
      upgrade(this.schema, database as unknown as IDBPDatabase<unknown>, oldVersion, transaction as unknown as UpgradeTransaction);
    } catch (error) {
      this.upgradeFailure = error;
      transaction.abort();
    }
  }

  /** `opening`, or a StoreError once `openTimeoutMs` passed (the open itself goes on). */
  private within(opening: Promise<StoreDatabase>): Promise<StoreDatabase> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.blockedBy !== undefined
          ? new StoreError('blocked', `store ${this.databaseName}: another tab holds the database open at version ${this.blockedBy} and blocks the upgrade to version ${this.schema.version}; close or reload that tab`)
          : new StoreError('blocked', `store ${this.databaseName}: the database did not open within ${this.options.openTimeoutMs} ms`));
      }, this.options.openTimeoutMs);
      void opening.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** Another tab wants to upgrade or delete the database: this connection gets out of its way. */
  private letGo(): void {
    this.database?.close();
    this.database = undefined;
  }

  /** The browser closed the connection (storage cleared, a disk error): the next call reopens. */
  private lost(): void {
    this.database = undefined;
    this.options.onError(new StoreError('failed', `store ${this.databaseName}: the browser closed the database connection; it will be reopened`));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
