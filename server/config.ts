/**
 * Server configuration from the environment; every variable is listed in docs/protocol.md.
 * `loadConfig` is pure over the env object it gets, so tests can build a config without touching
 * `process.env`, and `createServer` accepts any subset of it as overrides.
 */
import { randomBytes } from 'node:crypto'
import { parseConnectSrc } from './http/csp'

/** The seeded admin's password when none is configured: fine on a laptop, refused in production. */
export const DEMO_ADMIN_PASSWORD = 'orderline-demo'
export const DEFAULT_ADMIN_EMAIL = 'admin@orderline.local'
export const DEFAULT_SQLITE_FILE = 'data/orderline.sqlite'

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
  }
  if (problems.length > 0) {
    throw new ConfigError(`Refusing to start with NODE_ENV=production: ${problems.join('; ')}.`)
  }
  const connectSrc = parseConnectSrc(env.CSP_CONNECT_SRC)
  if ('error' in connectSrc) throw new ConfigError(connectSrc.error)

  return {
    port: parsePort(env.PORT),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || DEFAULT_SQLITE_FILE,
    redisUrl: parseRedisUrl(env.REDIS_URL),
    allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS),
    trustProxy: (env.TRUST_PROXY ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0),
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
  }
}
