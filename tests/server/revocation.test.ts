/**
 * Logout holds everywhere: two servers on one database stand for two nodes (and for one node
 * restarted). A token logged out through one is refused by the other over REST, at the socket
 * handshake and on session recovery, and stays refused after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { api, connectSocket, loginAdmin, startServer } from './helpers'
import { sharedTestDatabase } from './testDatabase'
import type { TestDatabase } from './testDatabase'

let database: TestDatabase
let nodeA: RunningServer
let nodeB: RunningServer

beforeAll(async () => {
  database = await sharedTestDatabase()
  nodeA = await startServer({ databaseUrl: database.url })
  nodeB = await startServer({ databaseUrl: database.url })
})
afterAll(async () => {
  await nodeA?.close()
  await nodeB?.close()
  await database?.release()
})

describe('a logout through one node', () => {
  it('is refused by another node over REST and at the socket handshake', async () => {
    const token = await loginAdmin(nodeA)
    // Node B has seen the token valid: it must not have cached that answer.
    expect((await api(nodeB, '/api/stats', { token })).status).toBe(200)
    expect((await api(nodeA, '/api/auth/logout', { method: 'POST', token })).status).toBe(204)

    const rest = await api(nodeB, '/api/stats', { token })
    expect(rest.status).toBe(401)
    expect(rest.body.error.code).toBe('invalid_token')
    await expect(connectSocket(nodeB, { token })).rejects.toThrow('unauthorized')
  })

  it('ends the token sessions on its own node at once', async () => {
    const token = await loginAdmin(nodeA)
    const socket = await connectSocket(nodeA, { token })
    const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve))
    expect((await api(nodeA, '/api/auth/logout', { method: 'POST', token })).status).toBe(204)
    expect(await reason).toBe('io server disconnect')
    socket.close()
  })

  it('is idempotent: logging out twice at once, from two nodes, both succeed or the second is 401', async () => {
    const token = await loginAdmin(nodeA)
    const [a, b] = await Promise.all([
      api(nodeA, '/api/auth/logout', { method: 'POST', token }),
      api(nodeB, '/api/auth/logout', { method: 'POST', token }),
    ])
    // Whichever lands second may already see the revocation; neither may be a 5xx.
    expect([a.status, b.status].sort()).toSatisfy((s: number[]) => s.every((x) => x === 204 || x === 401) && s.includes(204))
    expect((await api(nodeB, '/api/stats', { token })).status).toBe(401)
  })

  it('still holds after the node restarts', async () => {
    const token = await loginAdmin(nodeB)
    expect((await api(nodeB, '/api/auth/logout', { method: 'POST', token })).status).toBe(204)
    await nodeB.close()
    nodeB = await startServer({ databaseUrl: database.url })
    expect((await api(nodeB, '/api/stats', { token })).status).toBe(401)
    // The admin can still sign in again afresh.
    const fresh = await loginAdmin(nodeB)
    expect((await api(nodeA, '/api/stats', { token: fresh })).status).toBe(200)
  })
})

describe('a database that cannot answer the revocation lookup', () => {
  it('answers 5xx, not a 401 that would sign the admin out', async () => {
    const dbase = await sharedTestDatabase()
    const node = await startServer({ databaseUrl: dbase.url })
    try {
      const token = await loginAdmin(node)
      await node.store.db.destroy()
      const res = await api(node, '/api/stats', { token })
      expect(res.status).toBeGreaterThanOrEqual(500)
    } finally {
      await node.close().catch(() => {})
      await dbase.release()
    }
  })
})
