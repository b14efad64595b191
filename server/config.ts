/**
 * Server configuration from the environment; every variable is listed in docs/protocol.md.
 * `loadConfig` is pure over the env object it gets, so tests can build a config without touching
 * `process.env`, and `createServer` accepts any subset of it as overrides.
 */
import { randomBytes } from 'node:crypto'
import { parseConnectSrc } from './http/csp'
import { PASSWORD_PARAMS } from './store/passwords'
import type { ScryptParams } from './store/passwords'

/** The seeded admin's password when none is configured: fine on a laptop, refused in production. */
export const DEMO_ADMIN_PASSWORD = 'orderline-demo'
export const DEFAULT_ADMIN_EMAIL = 'admin@orderline.local'
const DEFAULT_SQLITE_FILE = 'data/orderline.sqlite'

export interface ServerConfig {
  port: number
  host: string
  /** A SQLite file path, `:memory:`, or a `postgres://` URL (PostgreSQL; see store/db.ts). */
  databaseUrl: string
  /** Set → Socket.IO Redis streams adapter for cross-node fan-out (see realtime/adapter.ts). */
  redisUrl: string | null
  /** Origins allowed for CORS and the Socket.IO handshake, besides the server's own origin. */
  allowedOrigins: string[]
  /**
   * Proxies (addresses or CIDRs, TRUST_PROXY) whose X-Forwarded-For is believed, e.g. `127.0.0.1`
   * for nginx on the same host. Without it every client behind nginx shares nginx's IP, and the
   * per-IP rate limits count them all as one.
   */
  trustProxy: string[]
  jwtSecret: string
  /** True when the secret was generated for this process: tokens die with a restart. */
  jwtSecretGenerated: boolean
  adminEmail: string
  adminPassword: string
  /** Built Vite app; served when the directory exists. */
  staticDir: string
  /** Seed demo products, orders and the admin on an empty database. */
  seedDemoData: boolean
  /** `POST /__test__/emit`; only ever on when ORDERLINE_TEST_HOOKS=1. */
  enableTestHooks: boolean
  production: boolean
  /** Fastify's pino logger; off in tests to keep output readable. */
  logger: boolean
  /** Login attempts per IP per rate window before 429 (ORDERLINE_LOGIN_RATE_LIMIT; 0 turns it off). */
  loginRateLimitPerMinute: number
  /** Login attempts per account (email) per rate window (ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT; 0 = off). */
  loginRateLimitPerAccount: number
  /** Orders placed per IP per rate window (ORDERLINE_ORDER_RATE_LIMIT; 0 = off). */
  orderRateLimitPerIp: number
  /** `watchOrder` calls per socket per rate window (ORDERLINE_WATCH_RATE_LIMIT; 0 = off). */
  watchOrderRateLimit: number
  /** Window of the three limits above, ms (ORDERLINE_RATE_WINDOW_MS, default one minute). */
  rateLimitWindowMs: number
  /** Sustained socket events per second per connection (ORDERLINE_SOCKET_EVENT_RATE; 0 = off). */
  socketEventsPerSecond: number
  /** Socket events a connection may send in a burst (ORDERLINE_SOCKET_EVENT_BURST). */
  socketEventBurst: number
  /** Extra connect-src origins for the CSP, e.g. the VITE_API_URL backend (CSP_CONNECT_SRC). */
  cspConnectSrc: string[]
  /**
   * Compressed responses (ORDERLINE_COMPRESSION, default on): the build's .br/.gz files for static
   * assets and on-the-fly brotli/gzip for API JSON above 1 KB. Off sends everything uncompressed
   * (for a CDN that compresses itself, or to measure the difference).
   */
  compression: boolean
  /** Minimum gap between `statsUpdated` emits. */
  statsThrottleMs: number
  /**
   * Host header values served (ALLOWED_HOSTS): `name` (any port) or `name:port`. Null: only this
   * node's own addresses (loopback and HOST, with the listening port), which are always accepted.
   * Required in production. Anything else is answered 421 (server/http/edge.ts).
   */
  allowedHosts: string[] | null
  /** A request must arrive whole within this, ms (ORDERLINE_REQUEST_TIMEOUT_MS; 408 otherwise). */
  requestTimeoutMs: number
  /** Its headers within this, ms (ORDERLINE_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number
  /** Open TCP connections per client address (ORDERLINE_CONNECTIONS_PER_IP; 0 = off). Trusted proxies are exempt. */
  connectionsPerIp: number
  /** Socket.IO connections per client address, proxy-aware (ORDERLINE_SOCKETS_PER_IP; 0 = off). */
  socketsPerIp: number
  /** Bearer token for /metrics (METRICS_TOKEN). Production without it: /metrics answers 404. */
  metricsToken: string | null
  /** A tracking link stops working this long after its order was delivered or cancelled (ORDERLINE_TRACKING_TTL_DAYS). */
  trackingTtlMs: number
  /** scrypt cost of new password hashes: always the OWASP one from the environment; tests lower it. */
  passwordParams: ScryptParams
  /**
   * VAPID key pair from VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY; null → generated on first start and
   * kept in the database, so every node signs with the same pair.
   */
  vapidKeys: { publicKey: string; privateKey: string } | null
  /** VAPID_SUBJECT (`mailto:` or `https:`); null → `mailto:` + the admin email. */
  vapidSubject: string | null
  /** ORDERLINE_PUSH_ALLOW_INSECURE=1, tests only: push endpoints may also be http://127.0.0.1:<port>. */
  pushAllowInsecure: boolean
  /** Attempts per push message, the first included. */
  pushMaxAttempts: number
  /** First push retry delay, ms; doubles per attempt. */
  pushRetryBaseMs: number
  /** Push messages pending (queued, waiting to retry, in flight) at most, per node. */
  pushQueueLimit: number
  /** Most often the delivery-estimate medians are recomputed, ms (ORDERLINE_ETA_REFRESH_MS). */
  etaRefreshMs: number
}

export type Env = Record<string, string | undefined>

/** Thrown for configuration that must stop the process before it serves anything. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be an integer 0-65535, got "${raw}"`)
  return port
}

function parseLimit(raw: string | undefined, fallback: number, name = 'ORDERLINE_LOGIN_RATE_LIMIT'): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`)
  return value
}

/** Checked here so a typo fails at start with the variable's name, not deep inside the client. */
/** `example.com`, `example.com:8443`, `[::1]:3000`: lower-cased; anything else is a start-up error. */
function parseHosts(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null
  const hosts = raw
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0)
  for (const host of hosts) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host))
      throw new ConfigError(`ALLOWED_HOSTS: "${host}" is not a host name or host:port`)
  }
  return hosts
}

function parseDays(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number of days, got "${raw}"`)
  return value
}

function parseRedisUrl(raw: string | undefined): string | null {
  if (!raw) return null
  if (!/^rediss?:\/\/[^\s]+$/i.test(raw)) throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got "${raw}"`)
  return raw
}

function parseOrigins(raw: string | undefined): string[] {
  if (!raw) return []
  return raw
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0)
}

const BASE64URL = /^[A-Za-z0-9_-]+$/

/**
 * VAPID settings: both keys or neither (half a pair cannot sign), each the right size, and a
 * subject push services accept. Wrong values stop the start instead of failing every push.
 */
function parseVapid(env: Env): { keys: ServerConfig['vapidKeys']; subject: string | null } {
  const publicKey = env.VAPID_PUBLIC_KEY?.trim() || undefined
  const privateKey = env.VAPID_PRIVATE_KEY?.trim() || undefined
  const subject = env.VAPID_SUBJECT?.trim() || null
  if (subject !== null && !/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject)) {
    throw new ConfigError(`VAPID_SUBJECT must be a mailto: address or an https: URL, got "${subject}"`)
  }
  if (!publicKey && !privateKey) return { keys: null, subject }
  if (!publicKey || !privateKey) throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together')
  const bytes = (value: string) => (BASE64URL.test(value) ? Buffer.from(value, 'base64url').length : -1)
  if (bytes(publicKey) !== 65) throw new ConfigError('VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes)')
  if (bytes(privateKey) !== 32) throw new ConfigError('VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)')
  return { keys: { publicKey, privateKey }, subject }
}

/**
 * Reads the environment. In production, missing or demo secrets are refused here rather than
 * discovered later: a guessable JWT secret or the demo password would hand out admin access.
 */
export function loadConfig(env: Env = process.env): ServerConfig {
  const production = env.NODE_ENV === 'production'
  const problems: string[] = []

  const jwtSecretGenerated = !env.JWT_SECRET
  const jwtSecret = env.JWT_SECRET || randomBytes(32).toString('base64url')
  const adminPassword = env.ADMIN_PASSWORD || DEMO_ADMIN_PASSWORD

  if (production) {
    if (jwtSecretGenerated) problems.push('JWT_SECRET is not set')
    else if (jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters')
    if (!env.ADMIN_PASSWORD) problems.push('ADMIN_PASSWORD is not set')
    else if (adminPassword === DEMO_ADMIN_PASSWORD) problems.push('ADMIN_PASSWORD is the demo password')
    // DNS rebinding: without a list, any name pointed at this node would be served.
    if (!env.ALLOWED_HOSTS?.trim()) problems.push('ALLOWED_HOSTS is not set')
    if (env.METRICS_TOKEN && env.METRICS_TOKEN.length < 24) problems.push('METRICS_TOKEN must be at least 24 characters')
  }
  if (problems.length > 0) {
    throw new ConfigError(`Refusing to start with NODE_ENV=production: ${problems.join('; ')}.`)
  }
  const requestTimeoutMs = parseLimit(env.ORDERLINE_REQUEST_TIMEOUT_MS, 30_000, 'ORDERLINE_REQUEST_TIMEOUT_MS') || 30_000
  const connectSrc = parseConnectSrc(env.CSP_CONNECT_SRC)
  if ('error' in connectSrc) throw new ConfigError(connectSrc.error)
  const vapid = parseVapid(env)
  const pushAllowInsecure = env.ORDERLINE_PUSH_ALLOW_INSECURE === '1'
  if (pushAllowInsecure && production)
    throw new ConfigError('ORDERLINE_PUSH_ALLOW_INSECURE=1 is for tests and refused when NODE_ENV=production.')

  return {
    port: parsePort(env.PORT),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || DEFAULT_SQLITE_FILE,
    redisUrl: parseRedisUrl(env.REDIS_URL),
    allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS),
    trustProxy: (env.TRUST_PROXY ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0),
    jwtSecret,
    jwtSecretGenerated,
    adminEmail: env.ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL,
    adminPassword,
    staticDir: env.STATIC_DIR || 'dist',
    seedDemoData: env.ORDERLINE_SEED !== '0',
    enableTestHooks: env.ORDERLINE_TEST_HOOKS === '1',
    production,
    logger: env.ORDERLINE_LOG !== '0',
    loginRateLimitPerMinute: parseLimit(env.ORDERLINE_LOGIN_RATE_LIMIT, 30),
    loginRateLimitPerAccount: parseLimit(env.ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT, 10, 'ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT'),
    orderRateLimitPerIp: parseLimit(env.ORDERLINE_ORDER_RATE_LIMIT, 60, 'ORDERLINE_ORDER_RATE_LIMIT'),
    watchOrderRateLimit: parseLimit(env.ORDERLINE_WATCH_RATE_LIMIT, 120, 'ORDERLINE_WATCH_RATE_LIMIT'),
    rateLimitWindowMs: parseLimit(env.ORDERLINE_RATE_WINDOW_MS, 60_000, 'ORDERLINE_RATE_WINDOW_MS') || 60_000,
    socketEventsPerSecond: parseLimit(env.ORDERLINE_SOCKET_EVENT_RATE, 20, 'ORDERLINE_SOCKET_EVENT_RATE'),
    socketEventBurst: parseLimit(env.ORDERLINE_SOCKET_EVENT_BURST, 60, 'ORDERLINE_SOCKET_EVENT_BURST'),
    cspConnectSrc: connectSrc.origins,
    compression: env.ORDERLINE_COMPRESSION !== '0',
    statsThrottleMs: 1000,
    allowedHosts: parseHosts(env.ALLOWED_HOSTS),
    requestTimeoutMs,
    // Node refuses a headers timeout above the request timeout.
    headersTimeoutMs: Math.min(
      parseLimit(env.ORDERLINE_HEADERS_TIMEOUT_MS, 10_000, 'ORDERLINE_HEADERS_TIMEOUT_MS') || 10_000,
      requestTimeoutMs,
    ),
    connectionsPerIp: parseLimit(env.ORDERLINE_CONNECTIONS_PER_IP, 100, 'ORDERLINE_CONNECTIONS_PER_IP'),
    socketsPerIp: parseLimit(env.ORDERLINE_SOCKETS_PER_IP, 50, 'ORDERLINE_SOCKETS_PER_IP'),
    metricsToken: env.METRICS_TOKEN || null,
    trackingTtlMs: parseDays(env.ORDERLINE_TRACKING_TTL_DAYS, 30, 'ORDERLINE_TRACKING_TTL_DAYS') * 24 * 60 * 60 * 1000,
    passwordParams: PASSWORD_PARAMS,
    vapidKeys: vapid.keys,
    vapidSubject: vapid.subject,
    pushAllowInsecure,
    pushMaxAttempts: 5,
    pushRetryBaseMs: 2_000,
    pushQueueLimit: 1_000,
    etaRefreshMs: parseLimit(env.ORDERLINE_ETA_REFRESH_MS, 60_000, 'ORDERLINE_ETA_REFRESH_MS'),
  }
}
