#!/usr/bin/env node
// `npm run cluster [-- --nodes 3] [-- --port 8080]`: several Orderline nodes behind nginx on this
// machine, sharing one PostgreSQL database and one Redis, to try the scale-out setup of deploy/.
//   DATABASE_URL  postgres://… to use (default: database "orderline_cluster", created if missing,
//                 on ORDERLINE_TEST_PG_URL's server, postgres://postgres@127.0.0.1:5432/postgres)
//   REDIS_URL     default redis://127.0.0.1:6379
//   STATIC_DIR    the built app (default dist/, built first if missing, as `npm start` does)
// Ctrl-C stops nginx, then each node gracefully.
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { ROOT, findNginx, startNginx, startNode } from './cluster-lib.mjs'
import { PG_ADMIN_URL, PG_HELP, pgReachable } from './pg.mjs'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '2' },
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    'no-build': { type: 'boolean', default: false },
  },
})
const nodeCount = Number(values.nodes)
const port = Number(values.port)
if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 16) fail('--nodes must be an integer from 1 to 16')
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port must be a port number')
if (!findNginx()) fail('nginx is not installed (Debian/Ubuntu: apt-get install -y nginx).')

function fail(message) {
  console.error(`[cluster] ${message}`)
  process.exit(1)
}

async function databaseUrl() {
  if (process.env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL))
      fail('DATABASE_URL must be a postgres:// URL: several nodes cannot share a SQLite file.')
    return process.env.DATABASE_URL
  }
  if (!(await pgReachable())) fail(PG_HELP)
  const client = new pg.Client({ connectionString: PG_ADMIN_URL })
  await client.connect()
  const exists = await client.query("select 1 from pg_database where datname = 'orderline_cluster'")
  if (exists.rowCount === 0) await client.query('create database orderline_cluster')
  await client.end()
  const url = new URL(PG_ADMIN_URL)
  url.pathname = '/orderline_cluster'
  return url.toString()
}

const staticDir = path.resolve(ROOT, process.env.STATIC_DIR ?? 'dist')
if (!values['no-build'] && !existsSync(path.join(staticDir, 'index.html'))) {
  console.log('[cluster] no build found: building the app (vite build)…')
  const build = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', staticDir, '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  )
  if (build.status !== 0) fail('the build failed; see the errors above.')
}

const env = {
  DATABASE_URL: await databaseUrl(),
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  // Every node must verify every other node's admin tokens: one secret for all of them.
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
  STATIC_DIR: staticDir,
  ORDERLINE_LOG: process.env.ORDERLINE_LOG ?? '0',
}

const nodes = []
let nginx
let stopping = false
async function stop(code = 0) {
  if (stopping) return
  stopping = true
  console.log('\n[cluster] stopping nginx, then the nodes (gracefully)…')
  await nginx?.stop()
  await Promise.all(nodes.map((node) => node.stop()))
  process.exit(code)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())

try {
  console.log(`[cluster] starting ${nodeCount} nodes on ${env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//…@')} and ${env.REDIS_URL}…`)
  nodes.push(...(await Promise.all(Array.from({ length: nodeCount }, () => startNode({ env })))))
  nginx = await startNginx({ upstreamPorts: nodes.map((node) => node.port), listenPort: port })
} catch (error) {
  console.error(`[cluster] ${error instanceof Error ? error.message : error}`)
  await stop(1)
}

console.log(
  [
    '',
    `Orderline cluster is listening on ${nginx.url}`,
    ...nodes.map((node, i) => `  node ${i + 1}: ${node.url} (pid ${node.pid})`),
    `Admin login: ${process.env.ADMIN_EMAIL ?? 'admin@orderline.local'} / ${process.env.ADMIN_PASSWORD ? '(ADMIN_PASSWORD)' : 'orderline-demo'}`,
    `nginx config: ${nginx.config}`,
    'Try: kill -9 one node pid and watch the open pages carry on through the other. Ctrl-C stops all.',
  ].join('\n'),
)
for (const [i, node] of nodes.entries()) {
  void node.exited.then(({ code, signal }) => {
    if (!stopping) console.log(`[cluster] node ${i + 1} exited (${signal ?? code}); the others keep serving.`)
  })
}
