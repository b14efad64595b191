import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../http/context'

/** The public catalogue: prices shown here are the ones POST /api/orders charges. */
export function registerProductRoutes(app: FastifyInstance, { store }: AppContext): void {
  // A plain array (what the app client expects). Public and rarely changing, so a short shared
  // cache is safe and spares the database.
  app.get('/api/products', async (_request, reply) => {
    const products = await store.listProducts()
    return reply.header('cache-control', 'public, max-age=60').send(products)
  })
}
