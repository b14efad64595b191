import type { FastifyInstance } from 'fastify'
import { loginBodySchema } from '../../src/protocol/schemas'
import { requireAdmin } from '../http/auth'
import { parseWith } from '../http/context'
import type { AppContext } from '../http/context'
import { ApiError } from '../http/errors'
import { disconnectAdminToken } from '../realtime/io'

/** Login issues short-lived admin JWTs; logout revokes them so a shared machine can be left safely. */
export function registerAuthRoutes(app: FastifyInstance, { store, auth, io, config }: AppContext): void {
  // Rate-limited per IP: scrypt makes each guess slow, the limit makes guessing many slow too.
  app.post(
    '/api/auth/login',
    { config: config.loginRateLimitPerMinute > 0 ? { rateLimit: { max: config.loginRateLimitPerMinute, timeWindow: 60_000 } } : {} },
    async (request, reply) => {
      const body = parseWith(loginBodySchema, request.body)
      const user = await store.authenticate(body.email, body.password)
      if (!user) throw new ApiError(401, 'invalid_credentials', 'Email or password is wrong.')
      const token = await auth.issue(user)
      return reply.header('cache-control', 'no-store').send({ token, user })
    },
  )

  /** Revokes the token server-side and drops its sockets, so a logout on one tab ends every session of that token. */
  app.post('/api/auth/logout', async (request, reply) => {
    const claims = await requireAdmin(auth, request)
    auth.revoke(claims)
    disconnectAdminToken(io, claims.jti)
    return reply.code(204).send()
  })
}
