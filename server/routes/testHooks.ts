/**
 * Test-only hooks, registered only when ORDERLINE_TEST_HOOKS=1; never in a normal start.
 * - POST /__test__/emit: a raw, possibly malformed event, so browser tests can check that the hub
 *   drops what fails validation.
 * - POST /__test__/realtime {blocked}: cut the realtime path (handshakes refused, sockets dropped),
 *   like a proxy that blocks WebSockets; REST keeps working, so the fallback poll takes over.
 * - POST /__test__/network {blocked}: the server becomes unreachable for browsers (their
 *   connections are dropped without an answer, realtime included) while the test's own Node
 *   requests still pass: Playwright's setOffline does not cover the service worker. Lifting it
 *   leaves realtime cut if /__test__/realtime still cuts it.
 * Documented with the other test switches in docs/protocol.md.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod/mini'
import { ADMIN_ROOM } from '../../src/protocol/events'
import { parseWith } from '../http/context'
import { setRealtimeBlocked } from '../realtime/io'
import type { AppContext } from '../http/context'

const emitBodySchema = z.strictObject({
  event: z.string().check(z.minLength(1), z.maxLength(64)),
  payload: z.unknown(),
  room: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
})

const blockBodySchema = z.strictObject({ blocked: z.boolean() })

/** Browsers say Mozilla/…; Node's fetch (the test driving the scenario) does not. */
const isBrowser = (userAgent: string | undefined): boolean => /Mozilla\//.test(userAgent ?? '')

export function registerTestHooks(app: FastifyInstance, { io }: AppContext): void {
  // Two switches: the network cuts realtime too, and bringing the network back restores realtime
  // only if the realtime switch is off (a test walking polling → unreachable → offline keeps
  // realtime cut until it says so).
  let networkBlocked = false
  let realtimeBlocked = false
  const applyRealtime = () => setRealtimeBlocked(io, networkBlocked || realtimeBlocked)

  app.addHook('onRequest', async (request, reply) => {
    if (!networkBlocked || request.url.startsWith('/__test__/') || !isBrowser(request.headers['user-agent'])) return
    reply.hijack()
    request.raw.socket.destroy()
  })

  app.post('/__test__/realtime', async (request, reply) => {
    const body = parseWith(blockBodySchema, request.body)
    realtimeBlocked = body.blocked
    applyRealtime()
    return reply.send({ ok: true, blocked: body.blocked })
  })

  app.post('/__test__/network', async (request, reply) => {
    const body = parseWith(blockBodySchema, request.body)
    networkBlocked = body.blocked
    applyRealtime()
    return reply.send({ ok: true, blocked: body.blocked })
  })

  app.post('/__test__/emit', async (request, reply) => {
    const body = parseWith(emitBodySchema, request.body)
    // Deliberately untyped: the whole point is to send what the typed contract would forbid.
    const untyped = io.to(body.room ?? ADMIN_ROOM) as unknown as { emit: (event: string, payload: unknown) => boolean }
    untyped.emit(body.event, body.payload)
    return reply.send({ ok: true })
  })
}
