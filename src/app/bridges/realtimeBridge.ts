/**
 * The one subscriber to the realtime hub in this tab: hands every event to the store that owns
 * that data, and is the one path by which credentials reach the hub. Stores never see the client.
 */
import type { Pinia } from 'pinia'
import { watch } from 'vue'
import { callRealtime, realtimeFailure, withRealtime } from '../realtime/realtimeAccess'
import type { ServerEvent } from '../../protocol'
import { needsResync, planResync, syncKeyOf, type ResyncTracker } from '../realtime/resync'
import type { HubStatus, RealtimeClient } from '@shared/hubTypes'
import { useConnectionStore } from '../stores/connection'
import { useDashboardStore } from '../stores/dashboard'
import { useNotificationsStore } from '../stores/notifications'
import { useOrdersStore } from '../stores/orders'
import { useSessionStore } from '../stores/session'

/**
 * Applies one event to the store that owns its data. The hub validated it off the socket (the one
 * validation, src/hub/validateEvent.ts); this tab trusts its own hub's typed messages.
 */
function dispatchServerEvent(event: ServerEvent, pinia?: Pinia): void {
  switch (event.type) {
    case 'newOrder':
      useOrdersStore(pinia).applyNewOrder(event.payload)
      useNotificationsStore(pinia).fromNewOrder(event.payload)
      return
    case 'orderUpdated':
      useOrdersStore(pinia).applyChange(event.payload)
      return
    case 'statsUpdated':
      useDashboardStore(pinia).applyStats(event.payload)
      return
    case 'notification':
      useNotificationsStore(pinia).fromNotification(event.payload)
      return
  }
}

/**
 * Catches this tab up after a gap (unrecovered reconnect, new hub): refetches the watched
 * orders, and for an admin the change log after the last seq seen (or the board's first page
 * when no cursor is held yet) and the dashboard figures. Each part fails on its own; the
 * version rule makes every result safe to apply in any order.
 */
async function resyncStores(client: RealtimeClient, pinia?: Pinia): Promise<void> {
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

/**
 * Subscribes once at startup. Returns the teardown; never throws, even without a hub. The client
 * loads on its own (realtimeAccess.ts): until it has, the badge shows `connecting` (or `offline`
 * when the device is), and what the views ask of the hub waits for it in order.
 */
export function startRealtimeBridge(pinia?: Pinia): () => void {
  const connection = useConnectionStore(pinia)
  const session = useSessionStore(pinia)
  const teardown: Array<() => void> = []
  let stopped = false
  // Queued first: the bridge listens before anything a view asks of the hub runs.
  void withRealtime(async (client) => {
    if (stopped) return true
    try {
      subscribe(client)
    } catch (error) {
      connection.markUnavailable(error instanceof Error ? error.message : String(error))
    }
    return true
  }).then((subscribed) => {
    if (!subscribed && !stopped) connection.markUnavailable(realtimeFailure() ?? 'realtime client unavailable')
  })

  function subscribe(client: RealtimeClient): void {
    teardown.push(client.onEvent((event) => dispatchServerEvent(event, pinia)))
    // A live status that starts a new event stream is shown as `connecting` until the tab has
    // caught up, so `live` always means "what you see is the server's state".
    const tracker: ResyncTracker = { synced: null }
    let latest: HubStatus | null = null
    let resyncing = false
    const show = (status: HubStatus) =>
      connection.setStatus(resyncing && status.state === 'live' ? { ...status, state: 'connecting' } : status)
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
      // Synchronous: the hub has the credentials before anything the login leads to watches.
      { flush: 'sync' },
    ),
  )
  return () => {
    stopped = true
    teardown.forEach((stop) => stop())
  }
}
