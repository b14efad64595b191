/**
 * Keyed token buckets: the one rate-limiting core behind every limit the server applies (login
 * per IP and per account, order placement per IP, socket events per connection, `watchOrder` per
 * socket). Pure: time comes in through `now`, so tests drive it without sleeping and the HTTP and
 * Socket.IO shells stay a few lines each.
 */

export interface RateLimitOptions {
  /** Requests allowed in a burst; also the bucket size. 0 (or less) turns the limit off. */
  limit: number
  /** Time for an empty bucket to refill completely: "`limit` per `windowMs`" on average. */
  windowMs: number
  /** Most keys tracked at once; past it, full (idle) buckets are forgotten first. */
  maxKeys?: number
  now?: () => number
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterMs: number }

export interface RateLimiter {
  /** Takes one token for `key`: `ok: false` means the caller is over its limit right now. */
  take(key: string): TakeResult
  /** Forgets a key (e.g. a successful login clears the failed-guess budget of that account). */
  reset(key: string): void
  /** Keys currently tracked; exposed so tests can check that idle keys are pruned. */
  readonly size: number
}

interface Bucket {
  tokens: number
  updatedAt: number
}

const UNLIMITED: RateLimiter = { take: () => ({ ok: true, remaining: Number.POSITIVE_INFINITY }), reset: () => {}, size: 0 }

/**
 * Continuous refill (`limit / windowMs` tokens per ms) rather than fixed windows: no burst of
 * 2×limit at a window edge, and a client that stops recovers smoothly instead of at a boundary.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { limit, windowMs } = options
  if (!(limit > 0) || !(windowMs > 0)) return UNLIMITED
  const now = options.now ?? Date.now
  const maxKeys = options.maxKeys ?? 10_000
  const ratePerMs = limit / windowMs
  const buckets = new Map<string, Bucket>()

  const refill = (bucket: Bucket, at: number): void => {
    const elapsed = Math.max(0, at - bucket.updatedAt)
    bucket.tokens = Math.min(limit, bucket.tokens + elapsed * ratePerMs)
    bucket.updatedAt = at
  }

  /** Keeps memory bounded under many distinct keys (spoofed IPs, random emails). */
  const prune = (at: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at)
      if (bucket.tokens >= limit) buckets.delete(key)
    }
    // Still too many busy keys: drop the oldest entries (Map keeps insertion order).
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break
      buckets.delete(key)
    }
  }

  return {
    take(key) {
      const at = now()
      let bucket = buckets.get(key)
      if (!bucket) {
        if (buckets.size >= maxKeys) prune(at)
        bucket = { tokens: limit, updatedAt: at }
        buckets.set(key, bucket)
      } else {
        refill(bucket, at)
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return { ok: true, remaining: Math.floor(bucket.tokens) }
      }
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) }
    },
    reset(key) {
      buckets.delete(key)
    },
    get size() {
      return buckets.size
    },
  }
}
