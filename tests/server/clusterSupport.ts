/**
 * A real cluster for the cluster tests: N node processes sharing a fresh PostgreSQL database and
 * a private redis-server, with nginx running deploy/nginx.conf in front. Socket and HTTP helpers
 * here take a base URL, so a test can talk to one node directly or go through nginx.
 */
import { io as connectClient } from 'socket.io-client'
import type { ManagerOptions, SocketOptions } from 'socket.io-client'
import { findNginx, findRedisServer, startNginx, startNode, startRedis } from '../../scripts/cluster-lib.mjs'
import type { ClusterNode, NginxProcess, RedisProcess } from '../../scripts/cluster-lib.mjs'
import type { Order, OrderStatus } from '../../src/protocol/order'
import type { ClientSocket } from './helpers'
import { createPgDatabase, PG_ADMIN_URL, pgReachable } from './testDatabase'
import type { TestDatabase } from './testDatabase'

const CLUSTER_ADMIN = { email: 'admin@cluster.test', password: 'cluster-admin-password' }

/** Why the cluster tests cannot run here, or null. ORDERLINE_REQUIRE_CLUSTER=1 (CI) makes it fatal. */
export async function clusterUnavailable(): Promise<string | null> {
  const missing: string[] = []
  if (!(await pgReachable())) missing.push(`PostgreSQL at ${PG_ADMIN_URL}`)
  if (!findRedisServer()) missing.push('redis-server')
  if (!findNginx()) missing.push('nginx')
  if (missing.length === 0) return null
  const message = `cluster tests skipped: ${missing.join(', ')} not available.`
  if (process.env.ORDERLINE_REQUIRE_PG === '1') throw new Error(message)
  console.warn(message)
  return message
}

export interface Cluster {
  database: TestDatabase
  redis: RedisProcess
  nodes: ClusterNode[]
  nginx: NginxProcess
  stop(): Promise<void>
  /** Diagnostics for a failed assertion: every process's output. */
  logs(): string
}

/** Starts `nodeCount` nodes together on an empty database (they bootstrap it once between them). */
export async function startCluster(nodeCount = 2, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const database = await createPgDatabase()
  const redis = await startRedis()
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    JWT_SECRET: 'cluster-secret-cluster-secret-cluster-secret',
    ADMIN_EMAIL: CLUSTER_ADMIN.email,
    ADMIN_PASSWORD: CLUSTER_ADMIN.password,
    STATIC_DIR: '/nonexistent-orderline-static',
    // Every test client comes from 127.0.0.1: per-IP and per-socket budgets would count them as one.
    ORDERLINE_LOGIN_RATE_LIMIT: '0',
    ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT: '0',
    ORDERLINE_ORDER_RATE_LIMIT: '0',
    ORDERLINE_WATCH_RATE_LIMIT: '0',
    ORDERLINE_SOCKET_EVENT_RATE: '0',
    ...extraEnv,
  }
  const nodes: ClusterNode[] = []
  let nginx: NginxProcess | undefined
  const stop = async () => {
    await nginx?.stop()
    await Promise.all(nodes.map((node) => node.stop(5_000)))
    await redis.stop()
    await database.release()
  }
  try {
    nodes.push(...(await Promise.all(Array.from({ length: nodeCount }, () => startNode({ env })))))
    nginx = await startNginx({ upstreamPorts: nodes.map((node) => node.port) })
  } catch (error) {
    await stop()
    throw error
  }
  return { database, redis, nodes, nginx, stop, logs: () => [...nodes.map((n) => n.output()), nginx?.errorLog() ?? ''].join('\n') }
}

export interface HttpResult<T> {
  status: number
  body: T
}

/** JSON over fetch against any base URL; never throws on 4xx/5xx. */
export async function http<T = any>(
  base: string,
  path: string,
  options: { method?: string; body?: unknown; token?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {}
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const response = await fetch(base + path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
}

export async function adminToken(base: string): Promise<string> {
  const res = await http<{ token: string }>(base, '/api/auth/login', { body: CLUSTER_ADMIN })
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`)
  return res.body.token
}

export async function placeOrderAt(base: string): Promise<{ order: Order; trackingToken: string }> {
  const res = await http<{ order: Order; trackingToken: string }>(base, '/api/orders', {
    body: { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'Cluster Customer', email: 'c@example.com' } },
  })
  if (res.status !== 201) throw new Error(`place order failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

export function patchAt(base: string, token: string, order: Pick<Order, 'id' | 'version'>, status: OrderStatus) {
  return http<any>(base, `/api/orders/${order.id}`, { method: 'PATCH', token, body: { status, version: order.version } })
}

/** Connects and resolves once connected; the caller closes it. */
export function connectAt(base: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> {
  const socket: ClientSocket = connectClient(base, { transports: ['websocket'], reconnection: false, forceNew: true, ...options })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection to ${base}`)), 10_000)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('connect_error', (error) => {
      if (options.reconnection) return
      clearTimeout(timer)
      socket.close()
      reject(error)
    })
  })
}

/** The value of one unlabelled metric on one node. */
export async function metricAt(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
  return match ? Number(match[1]) : 0
}
