import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { bearerToken } from '../http/auth'
import type { AppContext } from '../http/context'
import { sendError } from '../http/errors'

/** Constant-time, so response timing does not reveal the token byte by byte. */
function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Liveness and readiness: unauthenticated, for load balancers. Metrics: for Prometheus, with
 * `Authorization: Bearer $METRICS_TOKEN` when METRICS_TOKEN is set (401 otherwise); production
 * without METRICS_TOKEN does not serve them at all (404), since they describe the process.
 */
export function registerHealthRoutes(app: FastifyInstance, { store, metrics, redis, config }: AppContext): void {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }))

  // Readiness asks the database (and Redis, when configured: without it this node's events would
  // not reach the others), so a load balancer stops routing here when either cannot answer.
  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store')
    try {
      await store.ping()
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed')
      return sendError(reply, 503, 'not_ready', 'The database does not answer.')
    }
    if (!redis) return reply.send({ status: 'ready', checks: { database: 'ok' } })
    try {
      await redis.ping()
      return reply.send({ status: 'ready', checks: { database: 'ok', redis: 'ok' } })
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed')
      return sendError(reply, 503, 'not_ready', 'Redis does not answer: events from this node would not reach the others.')
    }
  })

  app.get('/metrics', async (request, reply) => {
    if (config.metricsToken === null && config.production) return sendError(reply, 404, 'not_found', 'No route for GET /metrics.')
    if (config.metricsToken !== null) {
      const token = bearerToken(request)
      if (!token || !sameSecret(token, config.metricsToken)) {
        return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'unauthorized', 'The metrics bearer token is missing or wrong.')
      }
    }
    const body = await metrics.registry.metrics()
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(body)
  })
}
