/**
 * Builds the whole backend: Fastify and Socket.IO on one http server and one port, sharing one
 * store. Everything is per instance (store, metrics registry, revocation list, timers), so tests
 * and benchmarks can run several servers in one process.
 */
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { LIMITS } from '../src/protocol/schemas'
import { loadConfig } from './config'
import type { ServerConfig } from './config'
import { createAuth } from './http/auth'
import type { AppContext } from './http/context'
import { installErrorHandlers } from './http/errors'
import { createMetrics, instrumentRequests } from './http/metrics'
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
  /** Closes sockets first (so clients see a disconnect, not a hang), then HTTP, then the database. */
  close(): Promise<void>
}

/**
 * Starts a server. `config` overrides the defaults of `loadConfig({})` field by field, so a test
 * only states what it cares about (`{port: 0, databaseUrl: ':memory:'}`).
 */
export async function createServer(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const cfg: ServerConfig = { ...loadConfig({}), ...config }
  const store = await openStore(cfg)

  const app = Fastify({ logger: cfg.logger, bodyLimit: LIMITS.httpBody })
  let io: OrderlineServer | undefined
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
    })
    await app.register(rateLimit, { global: false })
    // Baseline security headers (nosniff, frame and referrer policies). No CSP yet: the app's
    // sources (API origin, workers, sockets) are configured at build time, so the policy belongs
    // with the front-end build; COEP would block cross-origin API use.
    await app.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false })

    const auth = createAuth(cfg.jwtSecret)
    io = createRealtime({
      httpServer: app.server,
      allowedOrigins: cfg.allowedOrigins,
      redisUrl: cfg.redisUrl,
      auth,
      store,
      metrics,
      onError: (error) => app.log.error({ err: error }, 'realtime error'),
    })
    const publisher = createPublisher({
      io,
      stats: () => store.stats(),
      statsThrottleMs: cfg.statsThrottleMs,
      onError: (error) => app.log.error({ err: error }, 'stats emit failed'),
    })
    closePublisher = () => publisher.close()

    const ctx: AppContext = { config: cfg, store, auth, metrics, io, publisher }
    registerHealthRoutes(app, ctx)
    registerAuthRoutes(app, ctx)
    registerProductRoutes(app, ctx)
    registerOrderRoutes(app, ctx)
    registerFeedRoutes(app, ctx)
    if (cfg.enableTestHooks) registerTestHooks(app, ctx)
    await registerStatic(app, cfg.staticDir)

    await app.listen({ port: cfg.port, host: cfg.host })
  } catch (error) {
    closePublisher()
    if (io) await io.close().catch(() => {})
    await app.close().catch(() => {})
    await store.close()
    throw error
  }

  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : cfg.port
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host
  const realtime = io
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
        realtime.disconnectSockets(true)
        await realtime.close().catch(() => {})
        await app.close().catch(() => {})
        await store.close()
      })()
      return closing
    },
  }
}

