import { vi } from 'vitest'
import type { Order, OrderStatus, Stats } from '../../../src/protocol'
import type { HubStatus, RealtimeClient } from '../../../src/shared/hubTypes'
import { initialStatus } from '../../../src/app/realtime/status'

const PATH: OrderStatus[] = ['placed', 'confirmed', 'preparing', 'out_for_delivery', 'delivered']

/** An order at `version`, its status following the happy path. */
export function makeOrder(overrides: Partial<Order> & { version?: number } = {}): Order {
  const version = overrides.version ?? 1
  const status = overrides.status ?? PATH[Math.min(version - 1, PATH.length - 1)]!
  const at = new Date(Date.UTC(2026, 0, 1, 12, version)).toISOString()
  return {
    id: 'ord_1',
    number: 1001,
    status,
    version,
    items: [{ productId: 'p1', name: 'Coffee', quantity: 2, unitPriceCents: 350 }],
    totalCents: 700,
    customer: { name: 'Ada', email: 'ada@example.com' },
    note: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0)).toISOString(),
    updatedAt: at,
    history: PATH.slice(0, Math.min(version, PATH.length)).map((s, i) => ({
      status: s,
      version: i + 1,
      at: new Date(Date.UTC(2026, 0, 1, 12, i + 1)).toISOString(),
    })),
    ...overrides,
  }
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

export function hubStatus(overrides: Partial<HubStatus> = {}): HubStatus {
  // The hub's own initial status, live with one tab: one source of truth for the status shape.
  return { ...initialStatus('shared-worker', 'live'), tabs: 1, ...overrides }
}

/** A RealtimeClient whose methods are spies; `emit`/`setStatus` drive its listeners. */
export function fakeRealtimeClient(mode: RealtimeClient['mode'] = 'shared-worker') {
  const eventListeners = new Set<Parameters<RealtimeClient['onEvent']>[0]>()
  const statusListeners = new Set<Parameters<RealtimeClient['onStatus']>[0]>()
  const client = {
    mode,
    onEvent: vi.fn((listener: Parameters<RealtimeClient['onEvent']>[0]) => {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    }),
    onStatus: vi.fn((listener: Parameters<RealtimeClient['onStatus']>[0]) => {
      statusListeners.add(listener)
      listener(hubStatus({ state: 'connecting', mode }))
      return () => statusListeners.delete(listener)
    }),
    watchOrder: vi.fn(async () => ({ ok: true as const })),
    unwatchOrder: vi.fn(async () => {}),
    watchAdmin: vi.fn(async () => ({ ok: true as const })),
    unwatchAdmin: vi.fn(async () => {}),
    watchStats: vi.fn(async () => ({ ok: true as const })),
    unwatchStats: vi.fn(async () => {}),
    setCredentials: vi.fn(async () => {}),
    close: vi.fn(),
  } satisfies RealtimeClient
  return {
    client,
    emit: (event: Parameters<Parameters<RealtimeClient['onEvent']>[0]>[0]) => eventListeners.forEach((l) => l(event)),
    setStatus: (status: HubStatus) => statusListeners.forEach((l) => l(status)),
  }
}

/** Dashboard figures as GET /api/stats answers them. */
export function makeStats(overrides: Partial<Stats> = {}): Stats {
  return {
    ordersToday: 3,
    revenueTodayCents: 1250,
    byStatus: { placed: 1, confirmed: 1, preparing: 0, out_for_delivery: 0, delivered: 1, cancelled: 0 },
    avgDeliveryMinutes: 18,
    ordersPerMinute: new Array(60).fill(0),
    generatedAt: '2026-01-01T12:00:00.000Z',
    ...overrides,
  }
}

/** Waits until the lazily loaded realtime client has loaded (or failed) and its first callbacks ran. */
export async function realtimeSettled(): Promise<void> {
  // The client loads once the first screen's content is shown: these tests render no view, so
  // they say it is (else it would load at the start-up limit, seconds later).
  ;(await import('../../../src/app/firstContent')).markViewRendered()
  const { startRealtime } = await import('../../../src/app/realtime/realtimeAccess')
  await startRealtime()
  await new Promise((resolve) => setTimeout(resolve, 0))
}
