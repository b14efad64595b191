/**
 * Admin bearer tokens (JWT HS256 via jose) and their revocation. Revoked token ids live in the
 * shared database (server/store/revocations.ts), so a logout through one node holds on every node
 * and across restarts; this node also remembers what it has seen revoked, to skip the lookup.
 * Every token also carries its user's token generation (`gen`): "sign out everywhere" and a
 * password change move the generation on, which ends every earlier token at once; and a token
 * whose user no longer exists or is disabled is refused. The same one query answers all three.
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
  /** The user's token generation when the token was issued (0 for tokens that predate it). */
  gen: number
}

export interface Auth {
  issue(user: User, generation?: number): Promise<string>
  /** Undefined for anything but a valid, unrevoked admin token. */
  verify(token: string): Promise<AdminClaims | undefined>
  revoke(claims: AdminClaims): Promise<void>
  /** True for a logged-out token id; lets session recovery refuse what the middleware would. */
  isRevoked(jti: string): Promise<boolean>
}

/** Where revocations and users are kept: the store, shared by every node. */
export interface RevocationStore {
  revokeToken(jti: string, expiresAt: Date): Promise<void>
  isTokenRevoked(jti: string): Promise<boolean>
  /** Revoked?, and the user's generation (null: no such enabled user). */
  adminTokenState(userId: string, jti: string): Promise<{ revoked: boolean; generation: number | null }>
}

export function createAuth(secret: string, revocations: RevocationStore): Auth {
  const key = new TextEncoder().encode(secret)
  // Only positives are cached: a token valid a moment ago may have been revoked on another node.
  const revoked = new Map<string, number>()

  const prune = () => {
    const now = Date.now()
    for (const [jti, expiresAt] of revoked) if (expiresAt <= now) revoked.delete(jti)
  }

  // Also positives only: "tokens of this user below generation g are dead" can never become false.
  const minGeneration = new Map<string, number>()

  const isRevoked = async (jti: string) => revoked.has(jti) || (await revocations.isTokenRevoked(jti))

  return {
    async issue(user, generation = 0) {
      return new SignJWT({ role: user.role, email: user.email, gen: generation })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(user.id)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
        .sign(key)
    },
    async verify(token) {
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
      try {
        ;({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER }))
      } catch {
        return undefined
      }
      const { sub, jti, exp, role, email } = payload
      const gen = payload.gen ?? 0
      if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') return undefined
      if (role !== 'admin' || typeof email !== 'string' || typeof gen !== 'number') return undefined
      if (revoked.has(jti) || gen < (minGeneration.get(sub) ?? 0)) return undefined
      // Outside the catch on purpose: a database that cannot answer is a 5xx to retry, not a
      // "bad token" 401 that would sign the admin out of every tab.
      const state = await revocations.adminTokenState(sub, jti)
      if (state.revoked || state.generation === null) return undefined
      if (gen < state.generation) {
        minGeneration.set(sub, state.generation)
        return undefined
      }
      return { sub, jti, exp, role, email, gen }
    },
    async revoke(claims) {
      prune()
      await revocations.revokeToken(claims.jti, new Date(claims.exp * 1000))
      revoked.set(claims.jti, claims.exp * 1000)
    },
    isRevoked,
  }
}

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
