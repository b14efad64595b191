/**
 * The dialect seam: everything above this file speaks Kysely, so SQLite and PostgreSQL share the
 * repositories and the migrations. The only dialect-specific behaviour the repositories need is
 * `serializeWrites` (see below); the migrations ask `dialect` for the identity column.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import type { Dialect } from 'kysely'
import pg from 'pg'
import type { Database } from './schema'

export type SqlDialect = 'sqlite' | 'postgres'

/** A database handle plus the dialect it speaks: what every write path of the store needs. */
export interface OpenDatabase {
  db: Kysely<Database>
  dialect: SqlDialect
}

/** Advisory lock keys (any two distinct 64-bit numbers; Kysely's migrator uses its own). */
const CHANGE_LOG_LOCK = 8_146_001
const BOOTSTRAP_LOCK = 8_146_002

function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

/** Accepts `:memory:`, a plain path, or `file:`/`sqlite:` prefixed paths. */
function sqliteFilename(url: string): string {
  return url.replace(/^(sqlite|file):(\/\/)?/i, '')
}

function createSqliteDialect(databaseUrl: string): Dialect {
  const filename = sqliteFilename(databaseUrl)
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const sqlite = new SqliteDatabase(filename)
  // WAL lets readers (readyz, GETs) proceed while a write commits; foreign keys are off by default.
  if (filename !== ':memory:') sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return new SqliteDialect({ database: sqlite })
}

function createPostgresDialect(databaseUrl: string): Dialect {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    // Fail a request fast when the database is gone instead of queueing it forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  })
  // An idle client losing its connection (database restart) emits 'error' on the pool; without a
  // listener that would crash the process. The next query simply gets a fresh connection.
  pool.on('error', () => {})
  return new PostgresDialect({ pool })
}

/** Opens the database named by DATABASE_URL: a `postgres://` URL, or a SQLite file / `:memory:`. */
export function openDatabase(databaseUrl: string): OpenDatabase {
  const dialect: SqlDialect = isPostgresUrl(databaseUrl) ? 'postgres' : 'sqlite'
  const db = new Kysely<Database>({
    dialect: dialect === 'postgres' ? createPostgresDialect(databaseUrl) : createSqliteDialect(databaseUrl),
  })
  return { db, dialect }
}

/**
 * Call first in every transaction that appends to the change log.
 *
 * Why: clients resync with `GET /api/changes?after=<seq>`, so once a reader has seen seq n it must
 * never later find a committed entry below n. On PostgreSQL a sequence hands out numbers at insert
 * time, not at commit: writer A takes 10, writer B takes 11 and commits first, a reader sees 11,
 * advances its cursor, and misses 10 forever. A transaction-scoped advisory lock, held from before
 * the first read until commit, makes seq order equal commit order (PostgreSQL publishes a commit
 * before it releases the transaction's locks). Taken at the start, it also serializes the order
 * number (`max + 1`) and idempotency-key checks, so concurrent nodes cannot collide on them.
 * The cost is one writer at a time across the cluster, which this workload (a few writes per
 * second, each a handful of statements) is far from saturating. Rolled-back transactions still
 * burn sequence values, so seq has gaps: clients only ever compare, never count.
 *
 * SQLite needs nothing: better-sqlite3 runs one transaction at a time on its single connection.
 */
export async function serializeWrites(trx: Kysely<Database>, dialect: SqlDialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(CHANGE_LOG_LOCK)})`.execute(trx)
}

/**
 * Runs `work` while holding a cluster-wide lock (PostgreSQL session advisory lock on a dedicated
 * connection), so several nodes starting together on an empty database do not both create the
 * admin or seed the demo data. `work` runs on the pool, not on the locking connection.
 */
export async function withBootstrapLock<T>({ db, dialect }: OpenDatabase, work: () => Promise<T>): Promise<T> {
  if (dialect !== 'postgres') return work()
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(BOOTSTRAP_LOCK)})`.execute(conn)
    try {
      return await work()
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(BOOTSTRAP_LOCK)})`.execute(conn)
    }
  })
}
