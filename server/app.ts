/**
 * Builds the whole backend: Fastify and Socket.IO on one http server and one port, sharing one
 * store. Everything is per instance (store, metrics registry, revocation list, timers), so tests
 * and benchmarks can run several servers in one process.
 */
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import webpush from 'web-push'
import { LIMITS } from '../src/protocol/limits'
import { loadConfig } from './config'
import type { ServerConfig } from './config'
import { createAuth } from './http/auth'
import { registerCompression } from './http/compression'
import { cspDirectives, inlineStyleHashes } from './http/csp'
import type { AppContext } from './http/context'
import { capConnectionsPerAddress, createAddressResolver, createHostGuard } from './http/edge'
import { handleClientError, handleFrameworkError, installErrorHandlers, sendError } from './http/errors'
import { loggerOptions } from './http/logging'
import { createMetrics, instrumentRequests } from './http/metrics'
import { connectRedisAdapter } from './realtime/adapter'
import type { RealtimeAdapter } from './realtime/adapter'
import { drainNode } from './realtime/drain'
import { createRealtime, disconnectAdminUser } from './realtime/io'
import { createPublisher } from './realtime/publisher'
import type { Publisher } from './realtime/publisher'
import { createPushSender } from './push/sender'
import type { PushSender } from './push/sender'
import type { OrderlineServer } from './realtime/types'
import { registerAuthRoutes } from './routes/auth'
import { registerFeedRoutes } from './routes/feeds'
import { registerHealthRoutes } from './routes/health'
import { registerOrderRoutes } from './routes/orders'
import { registerProductRoutes } from './routes/products'
import { registerPushRoutes } from './routes/push'
import { registerStatic } from './routes/static'
import { registerTestHooks } from './routes/testHooks'
import { openStore } from './store/index'
import type { Store } from './store/index'

export type { ServerConfig } from './config'

export interface RunningServer {
  app: FastifyInstance
  io: OrderlineServer
  store: Store
  config: ServerConfig
  /** Web Push sending of this node: `idle()` lets tests wait for every message's outcome. */
  push: PushSender
  /** Base URL to reach this server, e.g. `http://127.0.0.1:43121`. */
  url: string
  /**
   * Graceful stop (realtime/drain.ts): stop accepting, close sockets so clients reconnect
   * elsewhere at once, finish in-flight requests, then Redis and the database.
   */
  close(): Promise<void>
}

/**
 * Starts a server. `config` overrides the defaults of `loadConfig({})` field by field, so a test
 * only states what it cares about (`{port: 0, databaseUrl: ':memory:'}`).
 */
/**
 * The hashes of the served shell's inline styles, for the CSP: read from its index.html, and read
 * again when that file changes (a build swapped in under a running server keeps its styles),
 * looked at no more than once a second. None without a build: the API alone needs none.
 */
function shellStyleHashes(staticDir: string): () => string {
  const index = path.resolve(staticDir, 'index.html')
  let checkedAt = -Infinity
  let seen: { mtimeMs: number; size: number; hashes: string } | null = null
  return () => {
    const now = Date.now()
    if (now - checkedAt < 1000) return seen?.hashes ?? ''
    checkedAt = now
    let stat: { mtimeMs: number; size: number }
    try {
      stat = statSync(index)
    } catch {
      seen = null
      return ''
    }
    if (!seen || seen.mtimeMs !== stat.mtimeMs || seen.size !== stat.size) {
      seen = { mtimeMs: stat.mtimeMs, size: stat.size, hashes: inlineStyleHashes(readFileSync(index, 'utf8')).join(' ') }
    }
    return seen.hashes
  }
}

export async function createServer(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const cfg: ServerConfig = { ...loadConfig({}), ...config }
  // Production trusts only the configured admin: any other (the demo admin of a database first
  // started in development) is disabled, its tokens with it (server/store/users.ts).
  const store = await openStore({ ...cfg, disableOtherAdmins: cfg.production })
  let push: PushSender | undefined

  const app = Fastify({
    logger: loggerOptions(cfg.logger),
    bodyLimit: LIMITS.httpBody,
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    // Behind nginx (deploy/), request.ip is the client's only when the proxy is trusted.
    trustProxy: cfg.trustProxy.length > 0 ? cfg.trustProxy : false,
    // Slow clients: a request must arrive whole within requestTimeoutMs and its headers within
    // headersTimeoutMs (408), checked often enough for those bounds to hold.
    requestTimeout: cfg.requestTimeoutMs,
    http: {
      headersTimeout: cfg.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(Math.min(cfg.requestTimeoutMs, cfg.headersTimeoutMs) / 4))),
    },
  })
  const addresses = createAddressResolver(cfg.trustProxy)
  capConnectionsPerAddress(app.server, cfg.connectionsPerIp, addresses.isTrustedProxy)
  const hostAllowed = createHostGuard({
    allowedHosts: cfg.allowedHosts,
    bindHost: cfg.host,
    port: () => {
      const bound = app.server.address()
      return typeof bound === 'object' && bound ? bound.port : cfg.port
    },
  })
  let io: OrderlineServer | undefined
  let redis: RealtimeAdapter | null = null
  let closePublisher = () => {}
  try {
    // Only JSON bodies are accepted: without the text/plain parser, other types answer 415.
    app.removeContentTypeParser('text/plain')
    // An empty body with a JSON content type (e.g. logout from a generic client) is "no body",
    // not a parse error; everything else goes through Fastify's safe JSON parser.
    const defaultJson = app.getDefaultJsonParser('error', 'error')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8')
      if (text.trim() === '') return done(null, undefined)
      defaultJson(request, text, done)
    })

    installErrorHandlers(app)
    // DNS rebinding: a page on another name that resolves here must not get answers (421). The raw
    // Host header, never X-Forwarded-Host: the proxy passes the client's Host on (deploy/nginx.conf).
    app.addHook('onRequest', async (request, reply) => {
      if (!hostAllowed(request.headers.host))
        return sendError(reply, 421, 'misdirected_request', 'This server does not serve that host name.')
    })
    // Source maps hold the whole source: built (npm run build keeps them) but not served in production.
    if (cfg.production) {
      app.addHook('onRequest', async (request, reply) => {
        // The matched route too: the router decodes `%2Emap` into a file route the raw URL hides.
        const routed = request.routeOptions.url ?? ''
        if (/\.map$/i.test(routed) || /(\.|%2e)map$/i.test(request.url.split('?')[0] ?? '')) {
          return sendError(reply, 404, 'not_found', 'No such file.')
        }
      })
    }
    const metrics = createMetrics()
    instrumentRequests(app, metrics)

    await app.register(cors, {
      // Disallowed origins get no CORS headers (the browser blocks them), not an error status.
      origin: (origin, callback) => callback(null, !origin || cfg.allowedOrigins.includes(origin)),
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match'],
      exposedHeaders: ['ETag', 'Location', 'Idempotent-Replayed'],
      maxAge: 600,
      // A bare OPTIONS (no Origin / request method) is not a preflight: answer it plainly
      // instead of the plugin's text/plain 400, which bypassed the error envelope (fuzz finding).
      strictPreflight: false,
    })
    // Security headers and a strict CSP (server/http/csp.ts explains why it still lets the app,
    // its SharedWorker, its service worker and its socket run). COEP stays off: it would block
    // cross-origin API use.
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(cfg.cspConnectSrc, [shellStyleHashes(cfg.staticDir)]) },
      crossOriginEmbedderPolicy: false,
    })

    const auth = createAuth(cfg.jwtSecret, store)
    if (cfg.redisUrl) {
      redis = await connectRedisAdapter({
        url: cfg.redisUrl,
        onError: (error) => app.log.error({ err: error }, 'redis unavailable: cross-node fan-out paused until it is back'),
        onReconnect: () => app.log.info('redis reconnected: cross-node fan-out resumed'),
      })
    }
    io = createRealtime({
      httpServer: app.server,
      allowedOrigins: cfg.allowedOrigins,
      adapter: redis?.adapter,
      auth,
      store,
      metrics,
      limits: {
        eventsPerSecond: cfg.socketEventsPerSecond,
        burst: cfg.socketEventBurst,
        watchOrderPerWindow: cfg.watchOrderRateLimit,
        windowMs: cfg.rateLimitWindowMs,
      },
      onError: (error) => app.log.error({ err: error }, 'realtime error'),
      hostAllowed,
      clientAddress: addresses.clientAddress,
      socketsPerIp: cfg.socketsPerIp,
      trackingTtlMs: cfg.trackingTtlMs,
    })
    // Tokens this start ended (a changed ADMIN_PASSWORD, disabled admins): their sockets on other
    // nodes close too (the adapter carries the disconnect).
    for (const userId of store.endedSessions) disconnectAdminUser(io, userId)
    if (store.disabledAdmins > 0) app.log.warn(`${store.disabledAdmins} admin account(s) not named by ADMIN_EMAIL were disabled`)
    const publisher = createPublisher({
      io,
      stats: () => store.stats(),
      statsThrottleMs: cfg.statsThrottleMs,
      onError: (error) => app.log.error({ err: error }, 'stats emit failed'),
    })
    closePublisher = () => publisher.close()

    // Web Push: one key pair for the whole cluster, from the environment or the database.
    const vapidKeys = cfg.vapidKeys ?? (await store.ensureVapidKeys(() => webpush.generateVAPIDKeys()))
    const pushPolicy = { allowInsecureLoopback: cfg.pushAllowInsecure }
    const pushSender = createPushSender({
      vapid: { ...vapidKeys, subject: cfg.vapidSubject ?? `mailto:${cfg.adminEmail}` },
      store,
      policy: pushPolicy,
      maxAttempts: cfg.pushMaxAttempts,
      retryBaseMs: cfg.pushRetryBaseMs,
      queueLimit: cfg.pushQueueLimit,
      onError: (error) => app.log.error({ err: error }, 'push failed'),
      onOutcome: (outcome, detail) => {
        if (outcome !== 'sent')
          app.log.info({ outcome, orderId: detail.orderId, status: detail.status, attempt: detail.attempt }, 'push outcome')
      },
    })
    push = pushSender
    // Subscriptions a stopped node left on finished orders (their final push never ran).
    store
      .pruneFinishedPushSubscriptions(new Date(Date.now() - 60 * 60_000))
      .catch((error: unknown) => app.log.error({ err: error }, 'push prune failed'))
    // The push follows the broadcast, on the node that committed the change and only there.
    const pushingPublisher: Publisher = {
      ...publisher,
      orderUpdated(change) {
        publisher.orderUpdated(change)
        pushSender.orderChanged(change.order)
      },
    }

    const ctx: AppContext = { config: cfg, store, auth, metrics, io, publisher: pushingPublisher, redis }
    // Before the routes: the plugin attaches itself to each route as it is declared.
    if (cfg.compression) await registerCompression(app)
    registerHealthRoutes(app, ctx)
    registerAuthRoutes(app, ctx)
    registerProductRoutes(app, ctx)
    registerOrderRoutes(app, ctx)
    registerFeedRoutes(app, ctx)
    registerPushRoutes(app, ctx, { publicKey: vapidKeys.publicKey, policy: pushPolicy })
    if (cfg.enableTestHooks) registerTestHooks(app, ctx)
    await registerStatic(app, cfg.staticDir, { preCompressed: cfg.compression })

    await app.listen({ port: cfg.port, host: cfg.host })
  } catch (error) {
    closePublisher()
    push?.close()
    if (io) await io.close().catch(() => {})
    await app.close().catch(() => {})
    await redis?.close()
    await store.close()
    throw error
  }

  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : cfg.port
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host
  const realtime = io
  const adapter = redis
  const pushSender = push
  let closing: Promise<void> | undefined

  return {
    app,
    io: realtime,
    store,
    config: cfg,
    push: pushSender,
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        closePublisher()
        await drainNode({ app, io: realtime })
        pushSender.close()
        await adapter?.close()
        await store.close()
      })()
      return closing
    },
  }
}
