import type { FastifyInstance } from 'fastify'
import { changesQuerySchema } from '../../src/protocol/requests'
import { LIMITS } from '../../src/protocol/limits'
import { requireAdmin } from '../http/auth'
import { parseWith } from '../http/context'
import type { AppContext } from '../http/context'

/** Admin feeds: the change log (resync after a missed stretch) and the dashboard figures. */
export function registerFeedRoutes(app: FastifyInstance, { store, auth }: AppContext): void {
  app.get('/api/changes', async (request, reply) => {
    await requireAdmin(auth, request)
    const query = parseWith(changesQuerySchema, request.query)
    const page = await store.listChanges(query.after, query.limit ?? LIMITS.changesPageSize)
    return reply.header('cache-control', 'private, no-store').send(page)
  })

  app.get('/api/stats', async (request, reply) => {
    await requireAdmin(auth, request)
    return reply.header('cache-control', 'private, no-store').send(await store.stats())
  })
}
