// Is the PostgreSQL the server tests use reachable? Shared by `npm test` and `npm run cluster`.
import pg from 'pg'

export const PG_ADMIN_URL = process.env.ORDERLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export const PG_HELP =
  `PostgreSQL is not reachable at ${PG_ADMIN_URL} (set ORDERLINE_TEST_PG_URL to point elsewhere). ` +
  'Start it (e.g. `pg_ctlcluster 15 main start`) to run the server tests on PostgreSQL too.'

/** One `select 1` over a short-lived connection; false on any error. */
export async function pgReachable(url = PG_ADMIN_URL) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}
