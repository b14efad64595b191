/**
 * Shared helpers for server tests: a real server on an ephemeral port with a fresh database
 * (in-memory SQLite, or PostgreSQL under ORDERLINE_TEST_DATABASE=postgres), plain `fetch` for
 * HTTP and a real socket.io-client for realtime.
 */
import { io as connectClient } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { createServer } from '../../server/app'
import type { RunningServer, ServerConfig } from '../../server/app'
import { LEGACY_PASSWORD_PARAMS } from '../../server/store/passwords'
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/protocol/events'
import type { Order } from '../../src/protocol/order'
import { freshTestDatabase } from './testDatabase'

export const ADMIN_EMAIL = 'admin@test.local'
export const ADMIN_PASSWORD = 'test-password-123'

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/**
 * A server on the store ORDERLINE_TEST_DATABASE selects (testDatabase.ts): in-memory SQLite, or a
 * fresh PostgreSQL database dropped when the server closes. An explicit `databaseUrl` wins.
 */
export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const database = overrides.databaseUrl === undefined ? await freshTestDatabase() : undefined
  let server: RunningServer
  try {
    server = await createServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: database?.url ?? ':memory:',
      jwtSecret: 'test-secret-test-secret-test-secret!',
      adminEmail: ADMIN_EMAIL,
      adminPassword: ADMIN_PASSWORD,
      staticDir: '/nonexistent-orderline-static',
      logger: false,
      statsThrottleMs: 50,
      // The old scrypt cost: tests sign in hundreds of times; tests/server/hardening-auth.test.ts
      // covers the production cost and the rehash.
      passwordParams: LEGACY_PASSWORD_PARAMS,
      ...overrides,
    })
  } catch (error) {
    await database?.release()
    throw error
  }
  if (database) {
    const close = server.close.bind(server)
    server.close = () => close().then(() => database.release())
  }
  return server
}

export interface ApiResponse<T = unknown> {
  status: number
  headers: Headers
  body: T
  text: string
}

export interface ApiOptions {
  method?: string
  /** JSON-encoded unless `rawBody` is given. */
  body?: unknown
  rawBody?: string
  token?: string
  headers?: Record<string, string>
}

/** Never throws on 4xx: tests assert on status and the error envelope. */
export async function api<T = any>(server: RunningServer, path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers }
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const response = await fetch(server.url + path, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body })
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    parsed = text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text }
}

export async function loginAdmin(server: RunningServer): Promise<string> {
  const res = await api<{ token: string }>(server, '/api/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`)
  return res.body.token
}

export async function placeOrder(server: RunningServer, quantity = 1): Promise<{ order: Order; trackingToken: string }> {
  const res = await api<{ order: Order; trackingToken: string }>(server, '/api/orders', {
    body: { items: [{ productId: 'espresso', quantity }], customer: { name: 'Test Customer', email: 'customer@example.com' } },
  })
  if (res.status !== 201) throw new Error(`place order failed: ${res.status} ${res.text}`)
  return res.body
}

export async function patchStatus(
  server: RunningServer,
  token: string,
  order: Pick<Order, 'id' | 'version'>,
  status: string,
  headers?: Record<string, string>,
) {
  return api<any>(server, `/api/orders/${order.id}`, { method: 'PATCH', token, body: { status, version: order.version }, headers })
}

/** Connects over websocket only (fast, deterministic) and resolves once connected. */
export function connectSocket(
  server: RunningServer,
  auth?: { token?: unknown },
  extra: Record<string, unknown> = {},
): Promise<ClientSocket> {
  const socket: ClientSocket = connectClient(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth, ...extra })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

export function waitForEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  timeoutMs = 3000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(event)}`)), timeoutMs)
    const handler = (payload: unknown) => {
      clearTimeout(timer)
      resolve(payload as Parameters<ServerToClientEvents[E]>[0])
    }
    socket.once(event as 'newOrder', handler as never)
  })
}

/** Collects every event of a kind; read `events` after a quiet period. */
export function collect<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const events: Parameters<ServerToClientEvents[E]>[0][] = []
  socket.on(event as 'newOrder', ((payload: never) => events.push(payload)) as never)
  return events
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
