#!/usr/bin/env node
// `npm test`: type check, unit tests, server tests, production build, browser tests — in that
// order, stopping at the first failure so the cheapest signal comes first.
import { spawnSync } from 'node:child_process'
import { CHROMIUM_HELP, findChromium } from './chromium.mjs'
import { PG_HELP, pgReachable } from './pg.mjs'
import { SERVER_ON_POSTGRES, UNIT_AND_SERVER } from './test-suites.mjs'

const vite = 'node_modules/vite/bin/vite.js'
const steps = [
  // ESLint (with the runtime import boundaries), Prettier and knip: the cheapest signal first.
  [
    'lint',
    ['node_modules/eslint/bin/eslint.js', '.'],
    ['node_modules/prettier/bin/prettier.cjs', '--check', '.'],
    ['node_modules/knip/bin/knip.js'],
  ],
  ['type check', ['node_modules/vue-tsc/bin/vue-tsc.js', '--build']],
  ['unit + server tests', UNIT_AND_SERVER],
  ['server tests on PostgreSQL', SERVER_ON_POSTGRES],
  ['production build', [vite, 'build', '--logLevel', 'warn']],
  ['size budget', ['scripts/check-size.mjs']],
  ['browser tests', ['node_modules/@playwright/test/cli.js', 'test']],
]

const only = process.argv.slice(2)
for (const [name, ...commands] of steps) {
  if (only.length && !only.some((word) => name.includes(word))) continue
  if (name === 'browser tests' && !findChromium()) {
    console.error(`\n${CHROMIUM_HELP}\n`)
    process.exit(1)
  }
  let env = process.env
  if (name === 'server tests on PostgreSQL') {
    if (!(await pgReachable())) {
      // CI must not pass without it (.ci/run starts PostgreSQL and sets ORDERLINE_REQUIRE_PG=1).
      if (process.env.ORDERLINE_REQUIRE_PG === '1') {
        console.error(`\n${PG_HELP}\n`)
        process.exit(1)
      }
      console.log(`\n▷ ${name}: SKIPPED — ${PG_HELP}`)
      continue
    }
    env = { ...process.env, ORDERLINE_TEST_DATABASE: 'postgres' }
  }
  console.log(`\n▶ ${name}`)
  const started = Date.now()
  let status = 0
  for (const args of commands) {
    status = spawnSync(process.execPath, args, { stdio: 'inherit', env }).status ?? 1
    if (status !== 0) break
  }
  console.log(`  ${name}: ${status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (status !== 0) process.exit(status)
}
