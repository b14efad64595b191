/**
 * The HTTP shell of the rate limiter: a route calls `enforceRateLimit` before doing any work, and
 * an over-limit caller gets `429 {error: {code: 'rate_limited'}}` with `Retry-After`, the same
 * envelope as every other error.
 */
import type { FastifyReply } from 'fastify'
import { ApiError } from './errors'
import type { RateLimiter, TakeResult } from './rateLimit'

export function enforceRateLimit(limiter: RateLimiter, key: string, reply: FastifyReply, message: string): void {
  refuseWhenLimited(limiter.take(key), reply, message)
}

/** The same answer for a limit decided elsewhere (the database's cluster-wide buckets). */
export function refuseWhenLimited(result: TakeResult, reply: FastifyReply, message: string): void {
  if (result.ok) return
  reply.header('retry-after', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))))
  throw new ApiError(429, 'rate_limited', message)
}
