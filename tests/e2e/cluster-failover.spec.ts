/**
 * Cluster failover in a real browser: two nodes behind nginx (deploy/nginx.conf), one PostgreSQL, one
 * Redis. A customer tracks an order through nginx; the node serving them is SIGKILLed; the page
 * reconnects through nginx to the other node and shows every later status, never a stale one.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import pg from 'pg'
import { findNginx, findRedisServer, startNginx, startNode, startRedis } from '../../scripts/cluster-lib.mjs'
import type { ClusterNode, NginxProcess, RedisProcess } from '../../scripts/cluster-lib.mjs'
import type { Order, OrderStatus } from '../../src/protocol'

const PG_ADMIN_URL = process.env.ORDERLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ADMIN = { email: 'admin@cluster-e2e.test', password: 'cluster-e2e-password' }
const dbName = `orderline_e2e_${randomBytes(4).toString('hex')}`

async function pgAdmin(query: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query(query)
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

let redis: RedisProcess | undefined
let nodes: ClusterNode[] = []
let nginx: NginxProcess | undefined
let admin = ''

test.beforeAll(async () => {
  test.setTimeout(180_000)
  const ready = findNginx() && findRedisServer() && (await pgAdmin(`create database "${dbName}"`))
  if (!ready && process.env.ORDERLINE_REQUIRE_PG === '1') throw new Error('cluster e2e needs PostgreSQL, redis-server and nginx')
  test.skip(!ready, 'cluster e2e skipped: PostgreSQL, redis-server or nginx not available')
  const dbUrl = new URL(PG_ADMIN_URL)
  dbUrl.pathname = `/${dbName}`
  redis = await startRedis()
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redis.url,
    JWT_SECRET: 'cluster-e2e-secret-cluster-e2e-secret-cluster',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    STATIC_DIR: process.env.E2E_STATIC_DIR ?? path.resolve('dist'),
    ORDERLINE_ORDER_RATE_LIMIT: '0',
    ORDERLINE_LOGIN_RATE_LIMIT: '0',
  }
  nodes = await Promise.all([startNode({ env }), startNode({ env })])
  nginx = await startNginx({ upstreamPorts: nodes.map((n) => n.port) })
  const login = await fetch(`${nginx.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  })
  admin = ((await login.json()) as { token: string }).token
})

test.afterAll(async () => {
  await nginx?.stop()
  await Promise.all(nodes.map((n) => n.stop(5_000)))
  await redis?.stop()
  await pgAdmin(`drop database if exists "${dbName}" with (force)`)
})

async function socketsOn(node: ClusterNode): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text()
  return Number(/^realtime_connected_sockets (\S+)$/m.exec(text)?.[1] ?? 0)
}

async function setStatus(base: string, orderId: string, status: OrderStatus): Promise<Order> {
  const current = (await (await fetch(`${base}/api/orders/${orderId}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Order
  const response = await fetch(`${base}/api/orders/${orderId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ status, version: current.version }),
  })
  if (!response.ok) throw new Error(`PATCH ${response.status}: ${await response.text()}`)
  return (await response.json()) as Order
}

test('a tracking page survives the crash of the node serving it', async ({ page }) => {
  test.setTimeout(120_000)
  const base = nginx!.url
  const placed = await fetch(`${base}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'Ada', email: 'ada@example.com' } }),
  })
  const { order, trackingToken } = (await placed.json()) as { order: Order; trackingToken: string }

  // Record every status the page shows, to prove it never goes backwards.
  await page.goto(`${base}/track/${order.id}#t=${trackingToken}`)
  const status = page.getByTestId('order-status')
  await expect(status).toHaveAttribute('data-status', 'placed')
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as unknown as { __seen: string[] }).__seen = seen
    const el = document.querySelector('[data-testid="order-status"]')!
    seen.push(el.getAttribute('data-status') ?? '')
    new MutationObserver(() => seen.push(el.getAttribute('data-status') ?? '')).observe(el, {
      attributes: true,
      attributeFilter: ['data-status'],
    })
  })

  const [a, b] = nodes as [ClusterNode, ClusterNode]
  const [onA, onB] = await Promise.all([socketsOn(a), socketsOn(b)])
  const [holder, other] = onA >= onB ? [a, b] : [b, a]
  expect(Math.max(onA, onB)).toBeGreaterThan(0)

  await setStatus(other.url, order.id, 'confirmed')
  await expect(status).toHaveAttribute('data-status', 'confirmed')

  await holder.kill()
  // Missed while the page is cut off: only the resync after the reconnect can bring it.
  await setStatus(other.url, order.id, 'preparing')
  await expect(status).toHaveAttribute('data-status', 'preparing', { timeout: 30_000 })
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 30_000 })
  expect(await socketsOn(other)).toBeGreaterThan(0)
  // Live again, through the surviving node.
  await setStatus(other.url, order.id, 'out_for_delivery')
  await expect(status).toHaveAttribute('data-status', 'out_for_delivery')

  const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen)
  const order_ = ['placed', 'confirmed', 'preparing', 'out_for_delivery']
  const indexes = seen.filter((s) => s !== '').map((s) => order_.indexOf(s))
  expect(indexes.every((v, i) => i === 0 || v >= indexes[i - 1]!)).toBe(true)
})
