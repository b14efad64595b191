/**
 * Test-only: emits a raw, possibly malformed event so browser tests can check that the hub drops
 * what fails validation. Registered only when ORDERLINE_TEST_HOOKS=1; never in a normal start.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { ADMIN_ROOM } from '../../src/protocol/events'
import { parseWith } from '../http/context'
import type { AppContext } from '../http/context'

const emitBodySchema = z.strictObject({
  event: z.string().min(1).max(64),
  payload: z.unknown(),
  room: z.string().min(1).max(128).optional(),
})

export function registerTestHooks(app: FastifyInstance, { io }: AppContext): void {
  app.post('/__test__/emit', async (request, reply) => {
    const body = parseWith(emitBodySchema, request.body)
    // Deliberately untyped: the whole point is to send what the typed contract would forbid.
    const untyped = io.to(body.room ?? ADMIN_ROOM) as unknown as { emit: (event: string, payload: unknown) => boolean }
    untyped.emit(body.event, body.payload)
    return reply.send({ ok: true })
  })
}
