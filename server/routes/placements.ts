/**
 * `POST /api/orders` with an `Idempotency-Key`: a checkout the customer can retry after any
 * failure (timeout, lost answer, offline outbox) without ever ordering twice. The same key and
 * body within 24 h answer the first 201 again (same order id and tracking token) with
 * `Idempotent-Replayed: true`; the same key with another body is 422 `idempotency_key_reused`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { PlaceOrderBody } from '../../src/protocol/requests'
import { bearerToken, looksLikeJwt } from '../http/auth'
import type { AppContext } from '../http/context'
import { ApiError } from '../http/errors'

/**
 * Keys are per caller: an admin placing an order for a customer has their own namespace, and no
 * checkout key can ever meet an admin's PATCH key (those live in another table). Customers are
 * anonymous, so their keys share one namespace: the key is a random value per checkout attempt.
 */
async function placementScope(ctx: AppContext, request: FastifyRequest): Promise<string> {
  const token = bearerToken(request)
  if (!token || !looksLikeJwt(token)) return 'anonymous'
  const claims = await ctx.auth.verify(token)
  return claims ? `admin:${claims.sub}` : 'anonymous'
}

/** Answers the checkout; the route has already parsed the body and the key. */
export async function placeOrderOnce(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  body: PlaceOrderBody,
  key: string,
): Promise<FastifyReply> {
  const result = await ctx.store.placeOrderOnce(body, { scope: await placementScope(ctx, request), key })
  switch (result.kind) {
    case 'unknown_product':
      throw new ApiError(422, 'unknown_product', result.message)
    case 'key_reused':
      throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different order.')
    case 'placed':
      // Only the request that placed broadcasts: a replay was announced the first time.
      ctx.publisher.orderPlaced(result.change)
      break
    case 'replayed':
      reply.header('idempotent-replayed', 'true')
      break
  }
  const order = result.kind === 'placed' ? result.change.order : result.order
  return reply
    .code(201)
    .header('location', `/api/orders/${order.id}`)
    .header('etag', `"v${order.version}"`)
    .header('cache-control', 'no-store')
    .send({ order, trackingToken: result.trackingToken })
}
