import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../http/context'
import { sendError } from '../http/errors'

/** Liveness, readiness and metrics: unauthenticated, for load balancers and Prometheus. */
export function registerHealthRoutes(app: FastifyInstance, { store, metrics, redis }: AppContext): void {
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

  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics()
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(body)
  })
}
