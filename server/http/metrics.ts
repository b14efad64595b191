/**
 * Prometheus metrics on a registry per server instance (not prom-client's global default), so
 * several servers in one test process or one bench run never clash over metric names.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { FastifyInstance } from 'fastify'

export interface Metrics {
  registry: Registry
  connectedSockets: Gauge
  httpRequests: Counter<'method' | 'route' | 'status'>
}

/** Default process metrics plus the two listed in docs/protocol.md; all on this instance's registry. */
export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    connectedSockets: new Gauge({
      name: 'realtime_connected_sockets',
      help: 'Socket.IO connections on this node',
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
  }
}

/**
 * Labels by route pattern, never the raw URL: raw URLs carry order ids and would explode the
 * label cardinality. Requests no route matched share one label.
 */
export function instrumentRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? (reply.statusCode === 404 ? 'unmatched' : 'spa_fallback') : (request.routeOptions.url ?? 'unmatched')
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) })
  })
}
