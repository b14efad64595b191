// The vitest runs `npm test` (scripts/test.mjs) and `npm run test:node24` (scripts/test-node24.mjs)
// share, so both Node lines run exactly the same suites.

export const VITEST = 'node_modules/vitest/vitest.mjs'

/** Unit tests (happy-dom) and server tests (real servers, SQLite). */
export const UNIT_AND_SERVER = [VITEST, 'run', '--project', 'unit', '--project', 'server']

/**
 * The same server suite again on PostgreSQL (a fresh database per server; run it with
 * ORDERLINE_TEST_DATABASE=postgres). The pg and cluster files already use PostgreSQL themselves,
 * so they run once, in UNIT_AND_SERVER.
 */
export const SERVER_ON_POSTGRES = [
  VITEST,
  'run',
  '--project',
  'server',
  '--exclude',
  'tests/server/pg*',
  '--exclude',
  'tests/server/cluster*',
]
