/**
 * Fan-out latency with many clients: the same N socket.io clients (default 2,000) first all on one
 * node, then spread over two nodes behind nginx (deploy/nginx.conf), both nodes on one PostgreSQL
 * and one Redis. Each client is an admin board; the bench places orders one at a time and times
 * how long each `newOrder` takes to reach each client, from just before the POST is sent.
 *
 *   node --import tsx bench/cluster-fanout.ts [--clients 2000] [--orders 20]
 *
 * Needs PostgreSQL (ORDERLINE_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * redis-server and nginx. Everything binds 127.0.0.1; connects are ramped in batches and every
 * phase has a time bound. Spreading over nginx's `hash $remote_addr` needs distinct client
 * addresses: clients bind to 127.0.0.2…127.0.0.254 (all loopback on Linux).
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { io as connectClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { startNginx, startNode, startRedis, waitFor } from '../scripts/cluster-lib.mjs'
import type { ClusterNode } from '../scripts/cluster-lib.mjs'

const { values } = parseArgs({ options: { clients: { type: 'string', default: '2000' }, orders: { type: 'string', default: '20' } } })
const CLIENTS = Number(values.clients)
const ORDERS = Number(values.orders)
const BATCH = 100
const PG_ADMIN_URL = process.env.ORDERLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' }

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL })
  await client.connect()
  try {
    await client.query(query)
  } finally {
    await client.end()
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
}

interface Result {
  label: string
  connected: number
  perNode: number[]
  samples: number
  missing: number
  p50: number
  p99: number
  max: number
  connectSeconds: number
}

/** Connects `CLIENTS` admin sockets to `url` in batches, places `ORDERS` orders, measures. */
async function scenario(
  label: string,
  url: string,
  postUrl: string,
  token: string,
  nodes: ClusterNode[],
  spreadAddresses: boolean,
): Promise<Result> {
  const sockets: Socket[] = []
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const started = Date.now()
  try {
    for (let i = 0; i < CLIENTS; i += BATCH) {
      const batch: Promise<void>[] = []
      for (let j = i; j < Math.min(i + BATCH, CLIENTS); j++) {
        const localAddress = spreadAddresses ? `127.0.0.${2 + (j % 253)}` : undefined
        const socket = connectClient(url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          auth: { token },
          ...(localAddress ? { localAddress } : {}),
        })
        socket.on('newOrder', (change: { order: { customer: { name: string } } }) => {
          const at = sentAt.get(change.order.customer.name)
          if (at !== undefined) latencies.push(performance.now() - at)
        })
        sockets.push(socket)
        batch.push(
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`client ${j} did not connect in 30 s`)), 30_000)
            socket.once('connect', () => (clearTimeout(timer), resolve()))
            socket.once('connect_error', (error) => (clearTimeout(timer), reject(error)))
          }),
        )
      }
      await Promise.all(batch)
    }
    const connectSeconds = (Date.now() - started) / 1000
    const perNode = await Promise.all(nodes.map((node) => metric(node.url, 'realtime_connected_sockets')))
    await new Promise((resolve) => setTimeout(resolve, 1000))

    for (let k = 0; k < ORDERS; k++) {
      // Events can arrive before the POST's answer (and its id): key the send time by a unique name.
      const name = `bench-${randomBytes(4).toString('hex')}`
      sentAt.set(name, performance.now())
      const response = await fetch(`${postUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: 'espresso', quantity: 1 }], customer: { name, email: 'bench@example.com' } }),
      })
      if (response.status !== 201) throw new Error(`order failed: ${response.status} ${await response.text()}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    const expected = CLIENTS * ORDERS
    await waitFor(() => latencies.length >= expected, { timeoutMs: 15_000, message: 'stragglers' }).catch(() => {})
    const sorted = [...latencies].sort((a, b) => a - b)
    return {
      label,
      connected: sockets.filter((s) => s.connected).length,
      perNode,
      samples: sorted.length,
      missing: expected - sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      connectSeconds,
    }
  } finally {
    for (const socket of sockets) socket.close()
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}

async function main(): Promise<void> {
  const dbName = `orderline_bench_${randomBytes(4).toString('hex')}`
  await admin(`create database "${dbName}"`)
  const dbUrl = new URL(PG_ADMIN_URL)
  dbUrl.pathname = `/${dbName}`
  const redis = await startRedis()
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redis.url,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-bench',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    STATIC_DIR: '/nonexistent-orderline-static',
    ORDERLINE_ORDER_RATE_LIMIT: '0',
    ORDERLINE_LOGIN_RATE_LIMIT: '0',
    // Thousands of sockets from one address, on purpose.
    ORDERLINE_CONNECTIONS_PER_IP: '0',
    ORDERLINE_SOCKETS_PER_IP: '0',
  }
  const nodes: ClusterNode[] = []
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined
  try {
    nodes.push(...(await Promise.all([startNode({ env }), startNode({ env })])))
    nginx = await startNginx({ upstreamPorts: nodes.map((n) => n.port) })
    const login = await fetch(`${nodes[0]!.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
    const { token } = (await login.json()) as { token: string }

    const results: Result[] = []
    results.push(await scenario(`${CLIENTS} clients on one node`, nodes[0]!.url, nodes[0]!.url, token, nodes, false))
    results.push(await scenario(`${CLIENTS} clients over two nodes behind nginx`, nginx.url, nginx.url, token, nodes, true))

    console.log(`\nFan-out latency, newOrder to every admin socket (${ORDERS} orders, 500 ms apart; ms from just before the POST):\n`)
    console.log('| scenario | sockets per node | p50 ms | p99 ms | max ms | missing | connect s |')
    console.log('| --- | --- | --- | --- | --- | --- | --- |')
    for (const r of results) {
      console.log(
        `| ${r.label} | ${r.perNode.join(' / ')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.missing} of ${r.samples + r.missing} | ${r.connectSeconds.toFixed(1)} |`,
      )
    }
  } finally {
    await nginx?.stop()
    await Promise.all(nodes.map((n) => n.stop(5_000)))
    await redis.stop()
    await admin(`drop database if exists "${dbName}" with (force)`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
