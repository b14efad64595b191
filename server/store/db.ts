/**
 * The dialect seam: everything above this file speaks Kysely, so adding PostgreSQL means adding a
 * branch here (PostgresDialect + pg Pool) and nothing in the repositories.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Dialect } from 'kysely'
import type { Database } from './schema'

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

/** Accepts `:memory:`, a plain path, or `file:`/`sqlite:` prefixed paths. */
function sqliteFilename(url: string): string {
  return url.replace(/^(sqlite|file):(\/\/)?/i, '')
}

function createDialect(databaseUrl: string): Dialect {
  if (isPostgresUrl(databaseUrl)) {
    throw new Error(
      'DATABASE_URL points at PostgreSQL: PostgreSQL support arrives with issue 8. ' +
        'Unset DATABASE_URL (or give a file path) to use the embedded SQLite database.',
    )
  }
  const filename = sqliteFilename(databaseUrl)
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const sqlite = new SqliteDatabase(filename)
  // WAL lets readers (readyz, GETs) proceed while a write commits; foreign keys are off by default.
  if (filename !== ':memory:') sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return new SqliteDialect({ database: sqlite })
}

/** Opens the database named by DATABASE_URL. Throws a readable error for unsupported URLs. */
export function openDatabase(databaseUrl: string): Kysely<Database> {
  return new Kysely<Database>({ dialect: createDialect(databaseUrl) })
}
