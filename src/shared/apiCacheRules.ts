/**
 * Which API answers the service worker keeps, under which key, in which cache. Pure, so the
 * rules that keep one user's data away from another's are unit-tested without a browser.
 *
 * Per-user: the key carries a hash of the Authorization header, so two credentials never share
 * an entry. Admin answers (bearer JWT) live in their own cache, dropped wholesale on logout in
 * any tab; customer answers (tracking tokens) stay, so remembered orders open offline.
 */
import { CACHE_HIT_HEADER, CACHED_AT_HEADER } from './swProtocol'

export const API_CACHE = 'orderline-api-v1'
export const ADMIN_API_CACHE = 'orderline-api-admin-v1'
/** Network-first: after this long without an answer, a cached copy is served instead. */
export const NETWORK_TIMEOUT_MS = 3000

const NEVER_CACHED = [/^\/api\/auth\//, /^\/api\/changes/]

/** GET /api/* except login/logout and the change log (cursor-keyed: a stale copy is useless). */
export function isCacheableApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/') && !NEVER_CACHED.some((pattern) => pattern.test(pathname))
}

/** Admin credentials are JWTs (three dot-separated parts); tracking tokens have no dots. */
function isAdminAuthorization(authorization: string | null): boolean {
  const token = authorization?.replace(/^Bearer\s+/i, '') ?? ''
  return token.split('.').length === 3
}

export function cacheNameFor(authorization: string | null): string {
  return isAdminAuthorization(authorization) ? ADMIN_API_CACHE : API_CACHE
}

/** Hex SHA-256 prefix of the Authorization header ('anon' without one). */
export async function hashAuthorization(authorization: string | null): Promise<string> {
  if (!authorization) return 'anon'
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(authorization))
  return Array.from(new Uint8Array(digest).slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The cache key URL: the request URL plus the credential hash, so users never share an entry. */
export function cacheKeyUrl(url: string, authHash: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('__orderline_user', authHash)
  return parsed.toString()
}

/** A copy of a cached answer, marked so the page can say "updated N min ago". */
export function markCached(response: Response, fallbackCachedAt: number): Response {
  const headers = new Headers(response.headers)
  headers.set(CACHE_HIT_HEADER, 'hit')
  if (!headers.has(CACHED_AT_HEADER)) headers.set(CACHED_AT_HEADER, String(fallbackCachedAt))
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** A copy to store, stamped with the time it was stored. */
export function stampForCache(response: Response, now: number): Response {
  const headers = new Headers(response.headers)
  headers.set(CACHED_AT_HEADER, String(now))
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** Epoch ms a cached copy was stored, or null. */
export function cachedAtOf(response: Response): number | null {
  const value = Number(response.headers.get(CACHED_AT_HEADER))
  return Number.isFinite(value) && value > 0 ? value : null
}
