import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HubClient } from '../../src/app/realtime/hubClient'
import type { HubTransport } from '../../src/app/realtime/transports'
import { initialStatus } from '../../src/app/realtime/status'
import { holdTabLock, tabLockName } from '../../src/app/realtime/tabLock'
import type { HubStatus } from '../../src/shared/hubTypes'
import type { HelloRequest, HubApi } from '../../src/shared/hubApi'

/** A LockManager with exclusive locks and a queue, enough to check the tab ↔ hub handshake. */
function fakeLocks() {
  const held = new Map<string, Promise<unknown>>()
  const locks = {
    request(name: string, callback: () => Promise<unknown>) {
      const previous = held.get(name) ?? Promise.resolve()
      const run = previous.then(() => callback())
      held.set(
        name,
        run.catch(() => {}),
      )
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

/** A hub that answers everything and records hellos and byes. */
function recordingHub(status: Partial<HubStatus> = {}) {
  const hellos: HelloRequest[] = []
  const byes: string[] = []
  const current: HubStatus = { ...initialStatus('shared-worker', 'live'), hubId: 'hub-1', syncEpoch: 3, ...status }
  const api: HubApi = {
    hello: async (request) => {
      hellos.push(request)
      return { ok: true, status: current }
    },
    watch: async () => ({ ok: true }),
    unwatch: async () => {},
    setCredentials: async () => {},
    getStatus: async () => current,
    setVisibility: async () => {},
    pollNow: async () => {},
    bye: async (tabId) => {
      byes.push(tabId)
    },
  }
  return { api, hellos, byes }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
const pageTransition = (type: 'pagehide' | 'pageshow', persisted: boolean) =>
  window.dispatchEvent(Object.assign(new Event(type), { persisted }))

describe('HubClient across the back/forward cache', () => {
  let locks: LockManager
  beforeEach(() => {
    locks = fakeLocks()
    Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
  })
  afterEach(() => {
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
  })

  /** Whether a request for the lock (what the hub queues) is granted now. */
  async function grantedNow(name: string): Promise<boolean> {
    let granted = false
    void locks.request(name, async () => {
      granted = true
    })
    await flush()
    return granted
  }

  it('lets go of its tab lock and channels while cached, and holds the lock again before its new hello', async () => {
    const hub = recordingHub()
    const transport: HubTransport = {
      mode: 'leader',
      needsTabLock: true,
      connect: async () => hub.api,
      exportListener: (listener) => listener,
      suspend: vi.fn(),
      resume: vi.fn(async () => {}),
    }
    const client = new HubClient(transport, { build: 'test' })
    await client.watchOrder('o1', 'tracking-token-0123456789')
    const lock = tabLockName(client.tabId)
    expect(hub.hellos).toEqual([expect.objectContaining({ lockName: lock })])

    pageTransition('pagehide', true)
    await flush()
    expect(hub.byes).toEqual([client.tabId])
    expect(transport.suspend).toHaveBeenCalledOnce()
    expect(await grantedNow(lock)).toBe(true)

    pageTransition('pageshow', true)
    await flush()
    await flush()
    expect(transport.resume).toHaveBeenCalledOnce()
    expect(hub.hellos).toHaveLength(2)
    expect(hub.hellos[1]).toMatchObject({ tabId: client.tabId, lockName: lock })
    expect(await grantedNow(lock)).toBe(false)
    client.close()
  })

  it('a plain pagehide (page unloading) says bye but keeps the lock and the transport', async () => {
    const hub = recordingHub()
    const suspend = vi.fn()
    const client = new HubClient(
      { mode: 'shared-worker', needsTabLock: true, connect: async () => hub.api, exportListener: (l) => l, suspend },
      { build: 'test' },
    )
    await client.watchAdmin()
    pageTransition('pagehide', false)
    await flush()
    expect(hub.byes).toEqual([client.tabId])
    expect(suspend).not.toHaveBeenCalled()
    expect(await grantedNow(tabLockName(client.tabId))).toBe(false)
    client.close()
  })

  it('counts each restore as one more sync epoch, so the stores resync what the hub did not send', async () => {
    const hub = recordingHub()
    const client = new HubClient(
      { mode: 'shared-worker', needsTabLock: true, connect: async () => hub.api, exportListener: (l) => l },
      { build: 'test' },
    )
    const seen: HubStatus[] = []
    client.onStatus((status) => seen.push(status))
    await client.watchAdmin()
    expect(seen.at(-1)).toMatchObject({ hubId: 'hub-1', syncEpoch: 3 })

    pageTransition('pagehide', true)
    pageTransition('pageshow', true)
    await flush()
    await flush()
    expect(seen.at(-1)).toMatchObject({ hubId: 'hub-1', syncEpoch: 4, state: 'live' })
    expect(await client.refreshStatus()).toMatchObject({ syncEpoch: 4 })
    client.close()
  })
})
