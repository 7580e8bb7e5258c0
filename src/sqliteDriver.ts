import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

/**
 * better-sqlite3, in the major that works on the running Node. 12.x subclasses `node::ObjectWrap`,
 * whose Node 24 header makes a statement's destructor abort the process (`Assertion failed: (env) !=
 * nullptr` in `RemoveEnvironmentCleanupHook`) when the garbage collector frees it outside a JS
 * context; 13.x is built on Node-API 10 and crashes in `new Database()` on a Node without it (all of
 * Node 20, Node 22 before 22.14). Both have the same API; the types are 12's (@types/better-sqlite3).
 */
const driver = Number(process.versions.napi) >= 10 ? 'better-sqlite3-napi' : 'better-sqlite3';

/** Where that driver's module is, for a worker thread that loads it by itself. */
export const sqliteDriverPath = require.resolve(driver);

const Database = require(driver) as typeof BetterSqlite3;

// The type namespace the package's own default import gives: `Database.Database` is a connection.
// eslint-disable-next-line @typescript-eslint/no-namespace -- a type-only namespace is the one way to merge with the value
declare namespace Database {
  type Database = BetterSqlite3.Database;
}

export default Database;
