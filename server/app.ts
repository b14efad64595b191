/**
 * Builds the whole backend: Fastify and Socket.IO on one http server and one port, sharing one
 * store. Everything is per instance (store, metrics registry, revocation list, timers), so tests
 * and benchmarks can run several servers in one process.
 */
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { LIMITS } from '../src/protocol/schemas'
import { loadConfig } from './config'
import type { ServerConfig } from './config'
import { createAuth } from './http/auth'
import { registerCompression } from './http/compression'
import { cspDirectives } from './http/csp'
import type { AppContext } from './http/context'
import { handleClientError, handleFrameworkError, installErrorHandlers } from './http/errors'
import { loggerOptions } from './http/logging'
import { createMetrics, instrumentRequests } from './http/metrics'
import { connectRedisAdapter } from './realtime/adapter'
import type { RealtimeAdapter } from './realtime/adapter'
import { drainNode } from './realtime/drain'
import { createRealtime } from './realtime/io'
import { createPublisher } from './realtime/publisher'
import type { OrderlineServer } from './realtime/types'
import { registerAuthRoutes } from './routes/auth'
import { registerFeedRoutes } from './routes/feeds'
import { registerHealthRoutes } from './routes/health'
import { registerOrderRoutes } from './routes/orders'
import { registerProductRoutes } from './routes/products'
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
export async function createServer(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const cfg: ServerConfig = { ...loadConfig({}), ...config }
  const store = await openStore(cfg)

  const app = Fastify({
    logger: loggerOptions(cfg.logger),
    bodyLimit: LIMITS.httpBody,
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    // Behind nginx (deploy/), request.ip is the client's only when the proxy is trusted.
    trustProxy: cfg.trustProxy.length > 0 ? cfg.trustProxy : false,
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
    const metrics = createMetrics()
    instrumentRequests(app, metrics)

    await app.register(cors, {
      // Disallowed origins get no CORS headers (the browser blocks them), not an error status.
      origin: (origin, callback) => callback(null, !origin || cfg.allowedOrigins.includes(origin)),
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'OPTIONS'],
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
      contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(cfg.cspConnectSrc) },
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
    })
    const publisher = createPublisher({
      io,
      stats: () => store.stats(),
      statsThrottleMs: cfg.statsThrottleMs,
      onError: (error) => app.log.error({ err: error }, 'stats emit failed'),
    })
    closePublisher = () => publisher.close()

    const ctx: AppContext = { config: cfg, store, auth, metrics, io, publisher, redis }
    // Before the routes: the plugin attaches itself to each route as it is declared.
    if (cfg.compression) await registerCompression(app)
    registerHealthRoutes(app, ctx)
    registerAuthRoutes(app, ctx)
    registerProductRoutes(app, ctx)
    registerOrderRoutes(app, ctx)
    registerFeedRoutes(app, ctx)
    if (cfg.enableTestHooks) registerTestHooks(app, ctx)
    await registerStatic(app, cfg.staticDir, { preCompressed: cfg.compression })

    await app.listen({ port: cfg.port, host: cfg.host })
  } catch (error) {
    closePublisher()
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
  let closing: Promise<void> | undefined

  return {
    app,
    io: realtime,
    store,
    config: cfg,
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        closePublisher()
        await drainNode({ app, io: realtime })
        await adapter?.close()
        await store.close()
      })()
      return closing
    },
  }
}

