import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';
import type { Dialect } from './migrations.ts';

// int8 columns hold epoch milliseconds and counters: well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Limits on every PostgreSQL session, in milliseconds (0: none). They keep a
 * paused or cut-off process from holding locks forever: its transaction is
 * ended by the server and the next lease holder goes on.
 */
export interface SessionTimeouts {
  /** Longest one statement may run. */
  statementMs: number;
  /** Longest a statement waits for a lock another session holds. */
  lockMs: number;
  /** Longest a transaction may stay open with nothing running in it. */
  idleInTransactionMs: number;
}

const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  statementMs: 60_000,
  lockMs: 20_000,
  idleInTransactionMs: 30_000,
};

export interface StoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL only. */
  timeouts?: SessionTimeouts;
  /** Told about a PostgreSQL connection that broke while idle (a server restart): the pool replaces it. */
  onConnectionError?: (error: Error) => void;
}

export function openStore(options: StoreOptions): Store {
  const dialect: Dialect = options.databaseUrl ? 'postgres' : 'sqlite';
  const db = new Kysely<Database>({
    dialect: options.databaseUrl
      ? postgresDialect(options.databaseUrl, options.timeouts ?? DEFAULT_SESSION_TIMEOUTS, options.onConnectionError)
      : sqliteDialect(options.dataDir),
  });
  return { db, dialect, close: () => db.destroy() };
}

function sqliteDialect(dataDir: string): SqliteDialect {
  // The data folder holds mail and secrets: only the owner may enter it.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'tandem.sqlite');
  ownerOnly(file);
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database: withStatementCache(database) });
}

/**
 * The database holds every email: it is made (or set, when an older version made it
 * 0644) readable by its owner alone, whatever the data folder's mode. SQLite gives
 * its -wal and -shm files the main file's mode; ones already there are set too.
 */
function ownerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(each)) chmodSync(each, 0o600);
  }
}

/** Compiled statements kept per SQL text: Kysely would otherwise prepare every query anew. */
const STATEMENT_CACHE_SIZE = 500;

const NOTHING_TO_ROLL_BACK = {
  reader: false,
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
} as unknown as SQLite.Statement;

function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR): Kysely's ROLLBACK
      // then would fail with "no transaction is active" and hide the error that matters.
      if (text === 'rollback' && !database.inTransaction) return NOTHING_TO_ROLL_BACK;
      let statement = cache.get(text);
      if (statement)
        cache.delete(text); // re-inserted below: the Map's order is the recency order
      else statement = database.prepare(text);
      cache.set(text, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}

function postgresDialect(
  connectionString: string,
  timeouts: SessionTimeouts,
  onConnectionError: (error: Error) => void = () => undefined,
): PostgresDialect {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Who holds a session, for an operator reading pg_stat_activity: this process's id.
    application_name: `tandem:${process.pid}`,
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
  });
  // A server restart or an ended session breaks connections: without a listener, that 'error' event would end
  // the process. The pool drops a broken idle connection, a query on a broken one fails, and the next opens anew.
  // (A connection in use reports the break to its query's caller; its own listener only keeps the process up.)
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new PostgresDialect({ pool });
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  // On PostgreSQL, Kysely looks for its migration tables in every schema of the
  // database unless told which: name the current one (search_path), so a
  // database holding several Tandem schemas migrates each on its own.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider(store.dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
