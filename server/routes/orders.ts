/**
 * Orders: placing (public), reading (admin or the order's tracking token), listing and status
 * changes (admin). Every input is parsed by a protocol schema before it reaches the store.
 * Answers, headers and error codes are listed in docs/protocol.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Order } from '../../src/protocol/order'
import {
  idempotencyKeySchema,
  listOrdersQuerySchema,
  orderIdParamsSchema,
  patchOrderBodySchema,
  placeOrderBodySchema,
  placementKeySchema,
  tokenSchema,
} from '../../src/protocol/requests'
import { bearerToken, looksLikeJwt, requireAdmin } from '../http/auth'
import { parseWith } from '../http/context'
import type { AppContext } from '../http/context'
import { ApiError, sendError } from '../http/errors'
import { enforceRateLimit } from '../http/guards'
import { createRateLimiter } from '../http/rateLimit'
import { TRACKING_EXPIRED, trackingExpired } from '../http/tracking'
import { placeOrderOnce } from './placements'

const DEFAULT_PAGE_SIZE = 50

const etagOf = (order: Pick<Order, 'version'>): string => `"v${order.version}"`

/** True when If-None-Match names this version (strong or weak form) or is `*`. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '')
    return tag === '*' || tag === etag
  })
}

const NOT_FOUND_MESSAGE = 'No such order, or this token does not grant access to it.'

/**
 * Reads with either credential. A tracking token of another order gets the same 404 as an
 * unknown id (not 403): the token is a capability, and a 403 would confirm that the id exists.
 * A malformed or revoked admin JWT is 401, since the caller then holds no valid credential.
 */
async function readableOrder(ctx: AppContext, request: FastifyRequest, id: string): Promise<Order> {
  const token = bearerToken(request)
  if (!token) throw new ApiError(401, 'unauthorized', "An admin token or the order's tracking token is required.")
  if (looksLikeJwt(token)) {
    const claims = await ctx.auth.verify(token)
    if (!claims) throw new ApiError(401, 'invalid_token', 'The bearer token is invalid, expired or revoked.')
    const order = await ctx.store.getOrder(id)
    if (!order) throw new ApiError(404, 'not_found', NOT_FOUND_MESSAGE)
    return order
  }
  if (!tokenSchema.safeParse(token).success) throw new ApiError(404, 'not_found', NOT_FOUND_MESSAGE)
  const order = await ctx.store.getOrderWithToken(id, token)
  if (!order) throw new ApiError(404, 'not_found', NOT_FOUND_MESSAGE)
  // Only the holder of the right token learns that the link expired (server/http/tracking.ts).
  if (trackingExpired(order, ctx.config.trackingTtlMs)) throw new ApiError(410, TRACKING_EXPIRED.code, TRACKING_EXPIRED.message)
  return order
}

function sendOrder(reply: FastifyReply, order: Order): FastifyReply {
  // private + no-cache: per-credential data that must be revalidated (cheaply, via the ETag).
  return reply.header('etag', etagOf(order)).header('cache-control', 'private, no-cache').header('vary', 'Authorization').send(order)
}

/** Status changes broadcast through the publisher only after the transaction committed. */
export function registerOrderRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store, auth, publisher } = ctx
  // Placing needs no login, so the address is the only handle on a client filling the database.
  const placements = createRateLimiter({ limit: ctx.config.orderRateLimitPerIp, windowMs: ctx.config.rateLimitWindowMs })

  app.post('/api/orders', async (request, reply) => {
    enforceRateLimit(placements, request.ip, reply, 'Too many orders from this address; try again later.')
    const body = parseWith(placeOrderBodySchema, request.body)
    if (request.headers['idempotency-key'] !== undefined) {
      const key = parseWith(placementKeySchema, request.headers['idempotency-key'])
      return placeOrderOnce(ctx, request, reply, body, key)
    }
    const placed = await store.placeOrder(body)
    if (!placed.ok) throw new ApiError(422, placed.code, placed.message)
    publisher.orderPlaced(placed.change)
    const { order } = placed.change
    return reply
      .code(201)
      .header('location', `/api/orders/${order.id}`)
      .header('etag', etagOf(order))
      .header('cache-control', 'no-store')
      .send({ order, trackingToken: placed.trackingToken })
  })

  app.get('/api/orders/:id', async (request, reply) => {
    const { id } = parseWith(orderIdParamsSchema, request.params)
    const order = await readableOrder(ctx, request, id)
    if (matchesIfNoneMatch(request.headers['if-none-match'], etagOf(order))) {
      return reply
        .code(304)
        .header('etag', etagOf(order))
        .header('cache-control', 'private, no-cache')
        .header('vary', 'Authorization')
        .send()
    }
    return sendOrder(reply, order)
  })

  app.get('/api/orders', async (request, reply) => {
    await requireAdmin(auth, request)
    const query = parseWith(listOrdersQuerySchema, request.query)
    const page = await store.listOrders({ status: query.status, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE, q: query.q })
    if ('invalidCursor' in page) throw new ApiError(400, 'invalid_cursor', 'cursor: not a cursor this server issued')
    // no-store: a list of every customer must not stay in any cache, the browser's included.
    return reply.header('cache-control', 'private, no-store').header('vary', 'Authorization').send(page)
  })

  app.patch('/api/orders/:id', async (request, reply) => {
    const claims = await requireAdmin(auth, request)
    const { id } = parseWith(orderIdParamsSchema, request.params)
    const rawKey = request.headers['idempotency-key']
    const idempotencyKey = rawKey === undefined ? undefined : parseWith(idempotencyKeySchema, rawKey)
    const body = parseWith(patchOrderBodySchema, request.body)

    const { result, replayed } = await store.changeStatus({
      orderId: id,
      status: body.status,
      version: body.version,
      reason: body.reason,
      idempotencyKey,
      // Keys belong to their caller: another admin's same key is another request.
      idempotencyScope: claims.sub,
    })
    if (replayed) reply.header('idempotent-replayed', 'true')
    reply.header('cache-control', 'no-store')
    switch (result.kind) {
      case 'updated':
        // A replay was already broadcast the first time: emit only for the request that applied.
        if (!replayed) publisher.orderUpdated(result.change)
        return reply.header('etag', etagOf(result.change.order)).send(result.change.order)
      case 'not_found':
        return sendError(reply, 404, 'not_found', 'No such order.')
      case 'version_conflict':
        return sendError(
          reply,
          409,
          'version_conflict',
          `The order is at version ${result.current.version}, not ${body.version}.`,
          result.current,
        )
      case 'illegal_transition':
        return sendError(
          reply,
          422,
          'illegal_transition',
          `An order cannot go from ${result.current.status} to ${body.status}.`,
          result.current,
        )
      case 'idempotency_mismatch':
        return sendError(reply, 422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.')
    }
  })
}
