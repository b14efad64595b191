import { describe, expect, it } from 'vitest'
import { holdTabLock, tabLockName } from '../../src/realtime/tabLock'

/** A LockManager with exclusive locks and a queue, enough to check the tab ↔ hub handshake. */
function fakeLocks() {
  const held = new Map<string, Promise<unknown>>()
  const locks = {
    request(name: string, callback: () => Promise<unknown>) {
      const previous = held.get(name) ?? Promise.resolve()
      const run = previous.then(() => callback())
      held.set(name, run.catch(() => {}))
      return run
    },
  }
  return locks as unknown as LockManager
}

describe('holdTabLock', () => {
  it('resolves once held, and a second request (the hub) is granted only after release', async () => {
    const locks = fakeLocks()
    const name = tabLockName('tab-1')
    const release = await holdTabLock(name, locks)
    expect(release).toBeTypeOf('function')
    let granted = false
    const hub = locks.request(name, async () => {
      granted = true
    })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(granted).toBe(false)
    release!()
    await hub
    expect(granted).toBe(true)
  })

  it('resolves null without Web Locks', async () => {
    expect(await holdTabLock('x', undefined)).toBeNull()
  })
})
