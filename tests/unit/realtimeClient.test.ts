import { describe, expect, it, vi } from 'vitest'
import type { HubApi, HubListener } from '../../src/shared/hubApi'
import { Hub } from '../../src/hub/hub'
import { createHubApi } from '../../src/hub/createHubApi'
import type { HubSocket, SocketHandlers } from '../../src/hub/socketPort'
import { HubClient } from '../../src/app/realtime/hubClient'
import type { HubTransport } from '../../src/app/realtime/transports'
import type { HubStatus } from '../../src/shared/hubTypes'

const TOKEN = 'tracking-token-0123456789'
const BUILD = 'test'

function inPageHub() {
  const emitted: { event: string; payload: unknown }[] = []
  let handlers!: SocketHandlers
  const socket: HubSocket = {
    connected: false,
    async emitWithAck(event, payload) {
      emitted.push({ event, payload })
      return { ok: true }
    },
    close() {},
  }
  const hub = new Hub({
    mode: 'direct',
    createSocket: (_auth, h) => {
      handlers = h
      return socket
    },
  })
  hub.start()
  const api = createHubApi(hub, { build: BUILD })
  const connect = () => {
    ;(socket as { connected: boolean }).connected = true
    handlers.onConnect(false)
  }
  return { hub, api, emitted, connect, handlers: () => handlers }
}

function transportOf(api: HubApi, mode: HubTransport['mode'] = 'direct'): HubTransport {
  return { mode, needsTabLock: false, connect: async () => api, exportListener: (l: HubListener) => l }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('HubClient', () => {
  it('says hello and reports the hub status', async () => {
    const { api, connect } = inPageHub()
    const client = new HubClient(transportOf(api), { build: BUILD })
    const seen: HubStatus[] = []
    client.onStatus((s) => seen.push(s))
    expect(seen[0]).toMatchObject({ state: 'connecting', mode: 'direct' })
    await flush()
    connect()
    await flush()
    expect(seen.at(-1)).toMatchObject({ state: 'live', tabs: 1 })
    client.close()
  })

  it('counts watches per tab: the hub hears the first watch and the last unwatch', async () => {
    const { api, connect, emitted } = inPageHub()
    connect()
    const client = new HubClient(transportOf(api), { build: BUILD })
    expect(await client.watchOrder('o1', TOKEN)).toEqual({ ok: true })
    expect(await client.watchOrder('o1', TOKEN)).toEqual({ ok: true })
    await client.unwatchOrder('o1')
    expect(emitted.map((e) => e.event)).toEqual(['watchOrder'])
    await client.unwatchOrder('o1')
    expect(emitted.map((e) => e.event)).toEqual(['watchOrder', 'unwatchOrder'])
    client.close()
  })

  it('delivers routed events to its listeners', async () => {
    const { api, connect, handlers } = inPageHub()
    connect()
    const client = new HubClient(transportOf(api), { build: BUILD })
    const events: unknown[] = []
    client.onEvent((e) => events.push(e))
    await client.watchAdmin()
    handlers().onEvent('notification', { id: 'n1', kind: 'info', title: 'Hi', body: '', at: 'now' })
    expect(events).toEqual([{ type: 'notification', payload: { id: 'n1', kind: 'info', title: 'Hi', body: '', at: 'now' } }])
    client.close()
  })

  it('falls back when the primary hub refuses hello, replaying watches and credentials', async () => {
    const refusing: HubApi = {
      ...inPageHub().api,
      hello: async () => ({ ok: false, error: { code: 'build_mismatch', message: 'old hub' } }),
    }
    const direct = inPageHub()
    direct.connect()
    const setCredentials = vi.spyOn(direct.api, 'setCredentials')
    const client = new HubClient(transportOf(refusing, 'shared-worker'), {
      build: BUILD,
      fallback: () => transportOf(direct.api),
    })
    const credentials = client.setCredentials('admin-jwt-0123456789')
    const ack = await client.watchOrder('o1', TOKEN)
    await credentials
    expect(ack).toEqual({ ok: true })
    expect(client.mode).toBe('direct')
    expect(setCredentials).toHaveBeenCalledWith('admin-jwt-0123456789')
    expect(direct.hub.getStatus().tabs).toBe(1)
    client.close()
  })

  it('answers hub_unavailable when no hub can be reached', async () => {
    const broken: HubTransport = { ...transportOf(inPageHub().api), connect: () => Promise.reject(new Error('no worker')) }
    const client = new HubClient(broken, { build: BUILD })
    expect(await client.watchAdmin()).toMatchObject({ ok: false, error: { code: 'hub_unavailable' } })
    const seen: HubStatus[] = []
    client.onStatus((s) => seen.push(s))
    expect(seen[0]).toMatchObject({ state: 'offline', lastError: 'no worker' })
    client.close()
  })

  it('says bye on pagehide and replays its watches after a back/forward cache restore', async () => {
    const { api, hub, connect, emitted } = inPageHub()
    connect()
    const client = new HubClient(transportOf(api), { build: BUILD })
    await client.watchOrder('o1', TOKEN)
    expect(hub.getStatus()).toMatchObject({ tabs: 1, rooms: ['order:o1'] })
    window.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: true }))
    await flush()
    expect(hub.getStatus()).toMatchObject({ tabs: 0, rooms: [] })
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }))
    await flush()
    await flush()
    expect(hub.getStatus()).toMatchObject({ tabs: 1, rooms: ['order:o1'] })
    expect(emitted.map((e) => e.event)).toEqual(['watchOrder', 'unwatchOrder', 'watchOrder'])
    client.close()
  })

  it('says bye on close so the hub frees the tab', async () => {
    const { api, hub } = inPageHub()
    const client = new HubClient(transportOf(api), { build: BUILD })
    await client.watchAdmin()
    expect(hub.getStatus().tabs).toBe(1)
    client.close()
    await flush()
    expect(hub.getStatus().tabs).toBe(0)
  })
})

describe('HubClient listener isolation', () => {
  it('a throwing app listener does not make the hub drop the tab', async () => {
    const { api, hub, connect, handlers } = inPageHub()
    connect()
    const client = new HubClient(transportOf(api), { build: BUILD })
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const seen: unknown[] = []
    client.onEvent(() => {
      throw new Error('store bug')
    })
    client.onEvent((e) => seen.push(e))
    await client.watchAdmin()
    handlers().onEvent('notification', { id: 'n1', kind: 'info', title: 'Hi', body: '', at: 'now' })
    await flush()
    expect(seen).toHaveLength(1)
    expect(hub.hasTab(client.tabId)).toBe(true)
    expect(error).toHaveBeenCalled()
    error.mockRestore()
    client.close()
  })
})
