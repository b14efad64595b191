import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SESSION_STORAGE_KEY, useSessionStore } from '../../src/app/stores/session'
import { resetRealtimeClientCache } from '../../src/app/realtime/realtimeAccess'
import { startRealtimeBridge } from '../../src/app/bridges/realtimeBridge'
import { fakeRealtimeClient, realtimeSettled, jsonResponse } from './support/fixtures'

const hub = vi.hoisted(() => ({ current: null as ReturnType<typeof import('./support/fixtures').fakeRealtimeClient> | null }))

vi.mock('../../src/app/realtime/hubLadder', () => ({
  getRealtimeClient: () => {
    if (!hub.current) throw new Error('no hub')
    return hub.current.client
  },
}))

let stopBridge: (() => void) | null = null
const user = { id: 'u1', email: 'admin@example.com', role: 'admin' }

beforeEach(() => {
  localStorage.clear()
  hub.current = fakeRealtimeClient()
  resetRealtimeClientCache()
  setActivePinia(createPinia())
})
afterEach(() => {
  stopBridge?.()
  stopBridge = null
  vi.unstubAllGlobals()
})

describe('useSessionStore', () => {
  it('persists a login, hands the token to the hub and restores it after a reload', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, { token: 'jwt-1', user })))
    const session = useSessionStore()
    stopBridge = startRealtimeBridge()
    await realtimeSettled()
    await session.login(' admin@example.com ', 'secret')
    expect(session.isAdmin).toBe(true)
    expect(JSON.parse(localStorage.getItem(SESSION_STORAGE_KEY)!)).toEqual({ token: 'jwt-1', user })
    expect(hub.current!.client.setCredentials).toHaveBeenCalledWith('jwt-1')

    setActivePinia(createPinia())
    const reloaded = useSessionStore()
    expect(reloaded.token).toBe('jwt-1')
    expect(reloaded.user?.email).toBe('admin@example.com')
  })

  it('keeps no session after a failed login', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(401, { error: { code: 'invalid_credentials', message: 'Nope' } })))
    const session = useSessionStore()
    await expect(session.login('a@b.co', 'bad')).rejects.toMatchObject({ status: 401 })
    expect(session.token).toBeNull()
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull()
  })

  it('logout clears storage and the hub even when the server call fails', async () => {
    localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ token: 'jwt-1', user }))
    const session = useSessionStore()
    stopBridge = startRealtimeBridge()
    await realtimeSettled()
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('offline')))
    await session.logout()
    expect(session.token).toBeNull()
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull()
    expect(hub.current!.client.setCredentials).toHaveBeenCalledWith(null)
  })

  it('sign out everywhere asks the server first and keeps the session when it fails', async () => {
    localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ token: 'jwt-1', user }))
    const session = useSessionStore()
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(500, { error: { code: 'internal_error', message: 'Down' } })))
    await expect(session.logoutEverywhere()).rejects.toMatchObject({ status: 500 })
    expect(session.token).toBe('jwt-1')

    const fetched = vi.fn().mockResolvedValue(new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetched)
    await session.logoutEverywhere()
    expect(String(fetched.mock.calls[0]![0])).toMatch(/\/api\/auth\/logout-all$/)
    expect(session.token).toBeNull()
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull()
  })

  it('ignores a corrupt stored session', async () => {
    localStorage.setItem(SESSION_STORAGE_KEY, '{"token": 5')
    expect(useSessionStore().token).toBeNull()
  })

  it("applies another tab's login and logout from the storage event", async () => {
    const session = useSessionStore()
    stopBridge = startRealtimeBridge()
    await realtimeSettled()
    const value = JSON.stringify({ token: 'jwt-2', user })
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_STORAGE_KEY, newValue: value }))
    expect(session.token).toBe('jwt-2')
    // This tab's hub connection follows (a no-op for a shared hub that already has it).
    expect(hub.current!.client.setCredentials).toHaveBeenLastCalledWith('jwt-2')
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_STORAGE_KEY, newValue: null }))
    expect(session.token).toBeNull()
    expect(hub.current!.client.setCredentials).toHaveBeenLastCalledWith(null)
    expect(session.isAdmin).toBe(false)
  })

  it('works when the realtime client cannot start', async () => {
    hub.current = null
    resetRealtimeClientCache()
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, { token: 'jwt-3', user })))
    const session = useSessionStore()
    await session.login('admin@example.com', 'secret')
    expect(session.token).toBe('jwt-3')
  })
})
