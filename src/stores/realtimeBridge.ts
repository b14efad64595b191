/**
 * The one subscriber to the realtime hub in this tab: validates every event with the protocol
 * schemas and hands it to the store that owns that data. Stores never see the client itself.
 */
import type { Pinia } from 'pinia'
import { watch } from 'vue'
import { callRealtime, realtimeFailure, safeRealtimeClient } from '../composables/realtimeClient'
import { notificationSchema, orderChangeSchema, statsSchema, type ServerEvent } from '../protocol'
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
    teardown.push(client.onStatus((status) => connection.setStatus(status)))
  } catch (error) {
    connection.markUnavailable(error instanceof Error ? error.message : String(error))
  }
  // A fresh hub (new build, restarted browser) learns the stored admin token from the first tab.
  if (session.token) callRealtime((hub) => hub.setCredentials(session.token))
  teardown.push(
    watch(
      () => session.token,
      (token, previous) => {
        if (token === null && previous) useOrdersStore(pinia).reset()
      },
    ),
  )
  return () => teardown.forEach((stop) => stop())
}
