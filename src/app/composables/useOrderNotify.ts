import { onScopeDispose, ref, watch, type Ref } from 'vue'
import { deleteTrackedOrder, getTrackedOrder, listTrackedOrders, putTrackedOrder } from '@shared/notifiedTags'
import { addPushSubscription, getPushPublicKey, removePushSubscription } from '../api/push'
import { afterThisTask } from './afterThisTask'
import { useSystemNotifications } from './useSystemNotifications'

/** How long subscribing may take before we settle for notifications while a tab is open. */
const SUBSCRIBE_TIMEOUT_MS = 10_000

/**
 * `off` (the button), `working` (asking, subscribing), `on` (push: even with every tab closed),
 * `on-open` (only while a tab of the app is open: this browser could not subscribe to push),
 * `blocked` (permission denied), `unsupported` (no notifications at all).
 */
export type NotifyState = 'off' | 'working' | 'on' | 'on-open' | 'blocked' | 'unsupported'

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms)
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    )
  })
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const held = subscription.options.applicationServerKey
  if (!held) return false
  const bytes = new Uint8Array(held)
  return bytes.length === key.length && bytes.every((byte, index) => byte === key[index])
}

/** This browser's push subscription for the server's current key (one per browser, shared by orders). */
async function subscribe(): Promise<PushSubscription> {
  const registration = await withTimeout(navigator.serviceWorker.ready, 5_000, 'service worker')
  const key = keyBytes(await getPushPublicKey())
  const held = await registration.pushManager.getSubscription()
  if (held && sameKey(held, key)) return held
  // The server's key changed (new VAPID pair): the old subscription cannot carry its messages.
  if (held) await held.unsubscribe().catch(() => undefined)
  return withTimeout(
    registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
    SUBSCRIBE_TIMEOUT_MS,
    'push subscribe',
  )
}

/**
 * Stops one order's notifications in this browser: its record (the push handler then ignores it),
 * the server's subscription for it, and the browser's push subscription once no order uses it.
 */
export async function stopOrderNotifications(orderId: string, token: string | null): Promise<void> {
  const record = await getTrackedOrder(orderId)
  if (!record) return
  await deleteTrackedOrder(orderId)
  const endpoint = record.endpoint
  if (!endpoint) return
  const credential = token ?? record.token
  await removePushSubscription(orderId, credential, endpoint).catch(() => undefined)
  if ((await listTrackedOrders()).some((other) => other.endpoint === endpoint)) return
  const registration = await withTimeout(navigator.serviceWorker.ready, 5_000, 'service worker')
  const held = await registration.pushManager.getSubscription()
  if (held?.endpoint === endpoint) await held.unsubscribe()
}

/**
 * The customer's "Notify me about this order": the browser's permission, asked only from
 * `enable()` (a click); a record of the order (with its token) that the hidden-tab
 * notifications and the service worker's push handler read; and a Web Push subscription
 * registered with the server for this order, so a change arrives with every tab closed. Where
 * push is unavailable (no push service reachable, no PushManager) notifications still come
 * from an open tab. `disable()` undoes all three for this order; the browser's subscription
 * itself goes only when no other order uses it.
 */
export function useOrderNotify(options: { orderId: Ref<string>; token: Ref<string | null>; number: Ref<number | null> }) {
  const system = useSystemNotifications()
  const pushSupported = system.isSupported && typeof window !== 'undefined' && 'PushManager' in window
  const state = ref<NotifyState>(system.isSupported ? 'off' : 'unsupported')
  /** Why push is not on, for the muted line under the state. */
  const detail = ref('')
  let disposed = false
  onScopeDispose(() => (disposed = true))

  async function refresh(): Promise<void> {
    if (!system.isSupported) return
    const record = await getTrackedOrder(options.orderId.value).catch(() => null)
    if (disposed || state.value === 'working') return
    if (Notification.permission === 'denied') state.value = 'blocked'
    else if (!record || Notification.permission !== 'granted') state.value = 'off'
    else state.value = record.endpoint ? 'on' : 'on-open'
  }
  watch(options.orderId, () => void refresh())
  // The first look (opening IndexedDB) waits a task: it is not needed to draw the page.
  afterThisTask(() => void refresh())
  watch(system.permission, () => void refresh())

  async function enable(): Promise<void> {
    const orderId = options.orderId.value
    const token = options.token.value
    if (!system.isSupported || !token || state.value === 'working') return
    state.value = 'working'
    detail.value = ''
    try {
      const permission = await system.requestPermission()
      if (permission !== 'granted') {
        state.value = permission === 'denied' ? 'blocked' : 'off'
        return
      }
      const record = { orderId, token, number: options.number.value ?? 0, endpoint: null as string | null, at: Date.now() }
      await putTrackedOrder(record)
      if (!pushSupported) {
        state.value = 'on-open'
        detail.value = "This browser can't receive notifications with the page closed."
        return
      }
      try {
        const subscription = await subscribe()
        await addPushSubscription(orderId, token, subscription.toJSON())
        await putTrackedOrder({ ...record, endpoint: subscription.endpoint })
        state.value = 'on'
      } catch (error) {
        console.warn('[orderline] push subscription failed', error)
        state.value = 'on-open'
        detail.value = "Notifications with every tab closed aren't available in this browser right now."
      }
    } catch (error) {
      console.warn('[orderline] notifications could not be turned on', error)
      state.value = 'off'
      detail.value = "Notifications couldn't be turned on. Try again."
    }
  }

  async function disable(): Promise<void> {
    const orderId = options.orderId.value
    const token = options.token.value
    if (state.value === 'working') return
    state.value = 'working'
    detail.value = ''
    try {
      await stopOrderNotifications(orderId, token)
    } catch (error) {
      console.warn('[orderline] turning notifications off did not finish', error)
    } finally {
      state.value = 'off'
    }
  }

  /** A status change is announced by this tab's system notification only when the customer opted in. */
  const enabled = (): boolean => state.value === 'on' || state.value === 'on-open'

  return { isSupported: system.isSupported, state, detail, enable, disable, enabled, show: system.show }
}
