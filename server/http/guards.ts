/**
 * The HTTP shell of the rate limiter: a route calls `enforceRateLimit` before doing any work, and
 * an over-limit caller gets `429 {error: {code: 'rate_limited'}}` with `Retry-After`, the same
 * envelope as every other error.
 */
import type { FastifyReply } from 'fastify'
import { ApiError } from './errors'
import type { RateLimiter } from './rateLimit'

export function enforceRateLimit(limiter: RateLimiter, key: string, reply: FastifyReply, message: string): void {
  const result = limiter.take(key)
  if (result.ok) return
  reply.header('retry-after', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))))
  throw new ApiError(429, 'rate_limited', message)
}
