/**
 * The one subscriber to the realtime hub in this tab: validates every event with the protocol
 * schemas and hands it to the store that owns that data. Stores never see the client itself.
 */
import type { Pinia } from 'pinia'
import { watch } from 'vue'
import { callRealtime, realtimeFailure, safeRealtimeClient } from '../composables/realtimeClient'
import { notificationSchema, orderChangeSchema, statsSchema, type ServerEvent } from '../../protocol'
import { needsResync, planResync, syncKeyOf, type ResyncTracker } from '../realtime/resync'
import type { HubStatus, RealtimeClient } from '../../shared/hubTypes'
import { useConnectionStore } from './connection'
import { useDashboardStore } from './dashboard'
import { useNotificationsStore } from './notifications'
import { useOrdersStore } from './orders'
import { useSessionStore } from './session'

/** Applies one event; returns false when its payload failed validation and was dropped. */
export function dispatchServerEvent(event: ServerEvent, pinia?: Pinia): boolean {
  switch (event.type) {
    case 'newOrder':
    case 'orderUpdated': {
      const parsed = orderChangeSchema.safeParse(event.payload)
      if (!parsed.success) return false
      const orders = useOrdersStore(pinia)
      if (event.type === 'newOrder') {
        orders.applyNewOrder(parsed.data)
        useNotificationsStore(pinia).fromNewOrder(parsed.data)
      } else {
        orders.applyChange(parsed.data)
      }
      return true
    }
    case 'statsUpdated': {
      const parsed = statsSchema.safeParse(event.payload)
      if (!parsed.success) return false
      useDashboardStore(pinia).applyStats(parsed.data as typeof event.payload)
      return true
    }
    case 'notification': {
      const parsed = notificationSchema.safeParse(event.payload)
      if (!parsed.success) return false
      useNotificationsStore(pinia).fromNotification(parsed.data)
      return true
    }
    default:
      return false
  }
}

/**
 * Catches this tab up after a gap (unrecovered reconnect, new hub): refetches the watched
 * orders, and for an admin the change log after the last seq seen (or the board's first page
 * when no cursor is held yet) and the dashboard figures. Each part fails on its own; the
 * version rule makes every result safe to apply in any order.
 */
export async function resyncStores(client: RealtimeClient, pinia?: Pinia): Promise<void> {
  const orders = useOrdersStore(pinia)
  const session = useSessionStore(pinia)
  const dashboard = useDashboardStore(pinia)
  const plan = planResync({
    interests: client.interests?.() ?? [],
    adminToken: session.isAdmin ? session.token : null,
    lastSeq: orders.lastSeq,
    boardLoaded: orders.boardIds.length > 0,
    statsLoaded: dashboard.stats !== null,
  })
  const token = session.token
  const jobs: Promise<unknown>[] = plan.orders.map(({ orderId, token: trackingToken }) => orders.fetchOrder(orderId, trackingToken))
  if (token && plan.adminChangesAfter !== null) jobs.push(orders.syncChanges(token))
  if (token && plan.adminList) jobs.push(orders.fetchList(token))
  if (token && plan.adminStats) jobs.push(dashboard.fetchStats(token))
  const results = await Promise.allSettled(jobs)
  for (const result of results) if (result.status === 'rejected') console.warn('[orderline] resync step failed', result.reason)
}

/** Logout (here or in another tab): no admin data may stay in this tab. */
function purgeAdminData(pinia?: Pinia): void {
  useOrdersStore(pinia).reset()
  useDashboardStore(pinia).stats = null
  useDashboardStore(pinia).loadedAt = null
  useNotificationsStore(pinia).toasts = []
}

/** Subscribes once at startup. Returns the teardown; never throws, even without a hub. */
export function startRealtimeBridge(pinia?: Pinia): () => void {
  const connection = useConnectionStore(pinia)
  const client = safeRealtimeClient()
  if (!client) {
    connection.markUnavailable(realtimeFailure() ?? 'realtime client unavailable')
    return () => {}
  }
  const session = useSessionStore(pinia)
  const teardown: Array<() => void> = []
  try {
    teardown.push(
      client.onEvent((event) => {
        if (!dispatchServerEvent(event, pinia)) console.warn('[orderline] dropped invalid event', event.type)
      }),
    )
    // A live status that starts a new event stream is shown as `connecting` until the tab has
    // caught up, so `live` always means "what you see is the server's state".
    const tracker: ResyncTracker = { synced: null }
    let latest: HubStatus | null = null
    let resyncing = false
    const show = (status: HubStatus) => connection.setStatus(resyncing && status.state === 'live' ? { ...status, state: 'connecting' } : status)
    teardown.push(
      client.onStatus((status) => {
        latest = status
        if (needsResync(tracker, status) && !resyncing) {
          tracker.synced = syncKeyOf(status)
          resyncing = true
          show(status)
          void resyncStores(client, pinia).finally(() => {
            resyncing = false
            if (latest) show(latest)
          })
          return
        }
        show(status)
      }),
    )
  } catch (error) {
    connection.markUnavailable(error instanceof Error ? error.message : String(error))
  }
  // A fresh hub (new build, restarted browser) learns the stored admin token from the first tab.
  if (session.token) callRealtime((hub) => hub.setCredentials(session.token))
  teardown.push(
    watch(
      () => session.token,
      (token, previous) => {
        if (token === null && previous) purgeAdminData(pinia)
        // Login or logout in another tab reaches this one through the storage event: tell the
        // hub too (a no-op when it already has it), so this tab can replay the right credentials
        // to a new leader after a hand-over.
        if (token !== previous) callRealtime((hub) => hub.setCredentials(token))
      },
    ),
  )
  return () => teardown.forEach((stop) => stop())
}
