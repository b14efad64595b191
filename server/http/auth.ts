/**
 * Admin bearer tokens (JWT HS256 via jose) and their revocation. Revocation is an in-memory set
 * of jti values kept until the token would have expired anyway: enough for one node; several
 * nodes will need it in the shared store (Redis) when that arrives.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'
import type { FastifyRequest } from 'fastify'
import type { User } from '../../src/protocol/order'
import { ApiError } from './errors'

const ISSUER = 'orderline'
const TOKEN_LIFETIME_S = 12 * 60 * 60

export interface AdminClaims {
  sub: string
  email: string
  role: 'admin'
  jti: string
  /** Seconds since epoch */
  exp: number
}

export interface Auth {
  issue(user: User): Promise<string>
  /** Undefined for anything but a valid, unrevoked admin token. */
  verify(token: string): Promise<AdminClaims | undefined>
  revoke(claims: AdminClaims): void
  /** True for a logged-out token id; lets session recovery refuse what the middleware would. */
  isRevoked(jti: string): boolean
}

export function createAuth(secret: string): Auth {
  const key = new TextEncoder().encode(secret)
  const revoked = new Map<string, number>()

  const prune = () => {
    const now = Date.now()
    for (const [jti, expiresAt] of revoked) if (expiresAt <= now) revoked.delete(jti)
  }

  return {
    async issue(user) {
      return new SignJWT({ role: user.role, email: user.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(user.id)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
        .sign(key)
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER })
        const { sub, jti, exp, role, email } = payload
        if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') return undefined
        if (role !== 'admin' || typeof email !== 'string') return undefined
        if (revoked.has(jti)) return undefined
        return { sub, jti, exp, role, email }
      } catch {
        return undefined
      }
    },
    revoke(claims) {
      prune()
      revoked.set(claims.jti, claims.exp * 1000)
    },
    isRevoked(jti) {
      return revoked.has(jti)
    },
  }
}

export const TOKEN_LIFETIME_SECONDS = TOKEN_LIFETIME_S

/** A bearer token looks like a JWT when it has three dot-separated parts; tracking tokens have none. */
export function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/**
 * Guards an admin route. A missing or invalid credential (including a tracking token, which
 * identifies nobody) is 401; 403 is kept for a valid identity without the admin role, which the
 * current token issuer never produces but future roles will.
 */
export async function requireAdmin(auth: Auth, request: FastifyRequest): Promise<AdminClaims> {
  const token = bearerToken(request)
  if (!token) throw new ApiError(401, 'unauthorized', 'An admin bearer token is required.')
  const claims = await auth.verify(token)
  if (!claims) throw new ApiError(401, 'invalid_token', 'The bearer token is invalid, expired or revoked.')
  if (claims.role !== 'admin') throw new ApiError(403, 'forbidden', 'This endpoint is for admins.')
  return claims
}
