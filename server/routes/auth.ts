import type { FastifyInstance } from 'fastify'
import { loginBodySchema } from '../../src/protocol/requests'
import { requireAdmin } from '../http/auth'
import { parseWith } from '../http/context'
import type { AppContext } from '../http/context'
import { ApiError } from '../http/errors'
import { enforceRateLimit, refuseWhenLimited } from '../http/guards'
import { createRateLimiter } from '../http/rateLimit'
import { disconnectAdminToken, disconnectAdminUser } from '../realtime/io'

/**
 * Login issues short-lived admin JWTs; logout revokes them so a shared machine can be left safely.
 * Guessing is limited twice: per IP (one client trying many accounts or passwords) and per
 * account (many clients, e.g. a botnet, trying one admin's password). scrypt makes each guess
 * slow; the limits make many guesses impossible. The per-IP budget is this node's (nginx sends an
 * address to one node); the per-account one is in the database, one budget for every node.
 */
export function registerAuthRoutes(app: FastifyInstance, { store, auth, io, config }: AppContext): void {
  const perIp = createRateLimiter({ limit: config.loginRateLimitPerMinute, windowMs: config.rateLimitWindowMs })
  const accountLimit = { limit: config.loginRateLimitPerAccount, windowMs: config.rateLimitWindowMs }

  app.post('/api/auth/login', async (request, reply) => {
    enforceRateLimit(perIp, request.ip, reply, 'Too many sign-in attempts from this address; try again later.')
    const body = parseWith(loginBodySchema, request.body)
    const account = body.email.trim().toLowerCase()
    if (accountLimit.limit > 0) {
      refuseWhenLimited(
        await store.takeLoginToken(account, accountLimit),
        reply,
        'Too many sign-in attempts for this account; try again later.',
      )
    }
    const authenticated = await store.authenticate(body.email, body.password)
    if (!authenticated) throw new ApiError(401, 'invalid_credentials', 'Email or password is wrong.')
    const { user, tokenGeneration } = authenticated
    // The account budget is for failed guesses: the real admin signing in starts afresh.
    if (accountLimit.limit > 0) await store.resetLoginTokens(account)
    const token = await auth.issue(user, tokenGeneration)
    return reply.header('cache-control', 'no-store').send({ token, user })
  })

  /** Revokes the token server-side and drops its sockets, so a logout on one tab ends every session of that token. */
  app.post('/api/auth/logout', async (request, reply) => {
    const claims = await requireAdmin(auth, request)
    await auth.revoke(claims)
    disconnectAdminToken(io, claims.jti)
    return reply.code(204).header('cache-control', 'no-store').send()
  })

  /**
   * "Sign out everywhere": every token of this admin issued so far stops working on every node
   * (the user's token generation moves on) and their sockets are closed, wherever they are.
   */
  app.post('/api/auth/logout-all', async (request, reply) => {
    const claims = await requireAdmin(auth, request)
    await store.signOutEverywhere(claims.sub)
    disconnectAdminUser(io, claims.sub)
    return reply.code(204).header('cache-control', 'no-store').send()
  })
}
