/**
 * Web Push for customers: the VAPID public key, and adding or removing a device's subscription
 * to one order's status changes. Subscribing takes the order's tracking token (the customer's
 * capability), never the admin token: a subscription routes the customer's order updates to a
 * device, and only the customer chooses their devices (docs/security.md, "Web Push").
 */
import { createECDH } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isTerminal } from '../../src/protocol/order'
import type { Order } from '../../src/protocol/order'
import { deletePushSubscriptionBodySchema, orderIdParamsSchema, pushSubscriptionBodySchema, tokenSchema } from '../../src/protocol/requests'
import { bearerToken, looksLikeJwt } from '../http/auth'
import { parseWith } from '../http/context'
import type { AppContext } from '../http/context'
import { ApiError } from '../http/errors'
import { enforceRateLimit } from '../http/guards'
import { createRateLimiter } from '../http/rateLimit'
import { checkPushEndpoint } from '../push/endpoint'
import type { EndpointPolicy } from '../push/endpoint'

const NOT_FOUND_MESSAGE = 'No such order, or this token does not grant access to it.'

/**
 * The order this tracking token opens. Same answers as reading an order (routes/orders.ts): no
 * credential 401, a bad admin token 401, another order's token the 404 of an unknown id; a valid
 * admin token 403, since subscribing is the customer's act.
 */
async function customerOrder(ctx: AppContext, request: FastifyRequest, id: string): Promise<Order> {
  const token = bearerToken(request)
  if (!token) throw new ApiError(401, 'unauthorized', "The order's tracking token is required.")
  if (looksLikeJwt(token)) {
    const claims = await ctx.auth.verify(token)
    if (!claims) throw new ApiError(401, 'invalid_token', 'The bearer token is invalid, expired or revoked.')
    throw new ApiError(403, 'tracking_token_required', "Push subscriptions are made with the order's tracking token, not an admin token.")
  }
  if (!tokenSchema.safeParse(token).success) throw new ApiError(404, 'not_found', NOT_FOUND_MESSAGE)
  const order = await ctx.store.getOrderWithToken(id, token)
  if (!order) throw new ApiError(404, 'not_found', NOT_FOUND_MESSAGE)
  return order
}

/** True when the key is a point on P-256: the shape check in the schema cannot tell. */
function isP256Point(base64url: string): boolean {
  try {
    // computeSecret validates the peer point, and needs a key pair of its own to do it.
    const ecdh = createECDH('prime256v1')
    ecdh.generateKeys()
    ecdh.computeSecret(Buffer.from(base64url, 'base64url'))
    return true
  } catch {
    return false
  }
}

export function registerPushRoutes(app: FastifyInstance, ctx: AppContext, push: { publicKey: string; policy: EndpointPolicy }): void {
  // Each subscribe may make the server resolve a name the caller chose: bounded per address.
  const subscribes = createRateLimiter({ limit: ctx.config.orderRateLimitPerIp, windowMs: ctx.config.rateLimitWindowMs })

  app.get('/api/push/public-key', async (_request, reply) => {
    return reply.header('cache-control', 'no-cache').send({ publicKey: push.publicKey })
  })

  app.post('/api/orders/:id/push-subscriptions', async (request, reply) => {
    enforceRateLimit(subscribes, request.ip, reply, 'Too many push subscriptions from this address; try again later.')
    const { id } = parseWith(orderIdParamsSchema, request.params)
    const order = await customerOrder(ctx, request, id)
    const body = parseWith(pushSubscriptionBodySchema, request.body)
    if (!isP256Point(body.keys.p256dh)) throw new ApiError(400, 'invalid_push_keys', 'keys.p256dh: not a point on the P-256 curve')
    if (isTerminal(order.status))
      throw new ApiError(409, 'order_closed', `The order is ${order.status}: there are no more updates to push.`)
    const check = await checkPushEndpoint(body.endpoint, push.policy)
    if (!check.ok) throw new ApiError(422, check.code, check.message)

    const added = await ctx.store.addPushSubscription(order.id, { endpoint: body.endpoint, keys: body.keys })
    if (added.kind === 'too_many') {
      throw new ApiError(409, 'too_many_subscriptions', 'This order already has the most push subscriptions allowed; remove one first.')
    }
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({ orderId: order.id, endpoint: added.subscription.endpoint, createdAt: added.subscription.created_at })
  })

  app.delete('/api/orders/:id/push-subscriptions', async (request, reply) => {
    const { id } = parseWith(orderIdParamsSchema, request.params)
    const order = await customerOrder(ctx, request, id)
    const body = parseWith(deletePushSubscriptionBodySchema, request.body)
    // Idempotent: removing what is not there (any more) is the state the caller wants.
    await ctx.store.removePushSubscription(order.id, body.endpoint)
    return reply.code(204).header('cache-control', 'no-store').send()
  })
}
