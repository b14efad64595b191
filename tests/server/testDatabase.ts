/**
 * Which store the server tests run against. `ORDERLINE_TEST_DATABASE=postgres` (set by
 * `npm run test:server:pg`) gives every server a fresh PostgreSQL database, created here and
 * dropped when the server closes (or when the test file ends), so tests stay as independent as
 * they are with `:memory:` SQLite.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll } from 'vitest'

const TEST_DATABASE: 'sqlite' | 'postgres' = process.env.ORDERLINE_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'

/** A maintenance connection (trust auth on this machine and in CI). */
export const PG_ADMIN_URL = process.env.ORDERLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  url: string
  /** Drops the database (PostgreSQL); idempotent. */
  release(): Promise<void>
}

const live = new Set<string>()

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** True when the maintenance connection works: pg tests skip (with a message) otherwise. */
export async function pgReachable(): Promise<boolean> {
  try {
    await withAdmin((client) => client.query('select 1'))
    return true
  } catch {
    return false
  }
}

async function dropPgDatabase(name: string): Promise<void> {
  if (!live.delete(name)) return
  // FORCE (PostgreSQL 13+) ends connections a test left open, e.g. a killed child node's pool.
  await withAdmin((client) => client.query(`drop database if exists "${name}" with (force)`))
}

/** A new, empty PostgreSQL database; its URL points at the same server as PG_ADMIN_URL. */
export async function createPgDatabase(): Promise<TestDatabase> {
  const name = `orderline_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await withAdmin((client) => client.query(`create database "${name}"`))
  live.add(name)
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), release: () => dropPgDatabase(name) }
}

/** The database a test server should use under the selected store. */
export async function freshTestDatabase(): Promise<TestDatabase> {
  if (TEST_DATABASE === 'sqlite') return { url: ':memory:', release: async () => {} }
  return createPgDatabase()
}

/**
 * A database several servers in one test open together (two nodes, or one node restarted): a
 * file for SQLite, since `:memory:` is private to its connection.
 */
export async function sharedTestDatabase(): Promise<TestDatabase> {
  if (TEST_DATABASE === 'postgres') return createPgDatabase()
  const dir = mkdtempSync(join(tmpdir(), 'orderline-shared-'))
  return { url: join(dir, 'shared.sqlite'), release: async () => rmSync(dir, { recursive: true, force: true }) }
}

// Whatever a test file created and did not release (a server closed piecemeal, a failed test).
afterAll(async () => {
  for (const name of [...live]) await dropPgDatabase(name).catch(() => {})
})
