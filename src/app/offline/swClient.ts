/**
 * The page's handle on its service worker: whoever controls the page, else the active worker
 * of the registration once it is ready. Returns null rather than throwing where there is none.
 */
import { OUTBOX_SYNC_TAG, type SwMessage } from '@shared/swProtocol'

export const isServiceWorkerSupported = (): boolean => typeof navigator !== 'undefined' && 'serviceWorker' in navigator

interface SyncManager {
  register(tag: string): Promise<void>
}

/** Asks the browser to wake the SW when connectivity returns (outbox replay). Best effort: absent in many browsers. */
export async function requestBackgroundSync(tag = OUTBOX_SYNC_TAG): Promise<void> {
  if (!isServiceWorkerSupported()) return
  const registration = await navigator.serviceWorker.getRegistration().catch(() => undefined)
  const sync = (registration as (ServiceWorkerRegistration & { sync?: SyncManager }) | undefined)?.sync
  await sync?.register(tag).catch(() => undefined)
}

/**
 * "The server answered again", for the outbox sender when it runs. The sender is loaded only for
 * an admin (src/app/main.ts), so the page reports through this hook instead of importing it.
 */
let networkBack: (() => void) | null = null
export function onNetworkBackHook(listener: (() => void) | null): void {
  networkBack = listener
}
export function notifyNetworkBack(): void {
  networkBack?.()
}

/** The worker to talk to now: the page's controller, else the registration's active worker, else null. */
export async function activeWorker(): Promise<ServiceWorker | null> {
  if (!isServiceWorkerSupported()) return null
  const controller = navigator.serviceWorker.controller
  if (controller) return controller
  return (await navigator.serviceWorker.getRegistration().catch(() => undefined))?.active ?? null
}

/**
 * The active worker as soon as there is one, however long its first install takes: on a first
 * visit over a slow link the precache can take many seconds, and what the page hands over then
 * (its order, for an offline open) must not be lost to a timeout. Null without service workers.
 */
export function workerWhenReady(): Promise<ServiceWorker | null> {
  if (!isServiceWorkerSupported()) return Promise.resolve(null)
  const controller = navigator.serviceWorker.controller
  if (controller) return Promise.resolve(controller)
  return navigator.serviceWorker.ready.then((registration) => registration.active).catch(() => null)
}

/** Posts a message and waits for the reply on a MessageChannel; null on timeout or no worker. */
export async function askWorker(worker: ServiceWorker, message: SwMessage, timeoutMs: number): Promise<unknown> {
  const channel = new MessageChannel()
  return new Promise<unknown>((resolve) => {
    const timer = setTimeout(() => {
      channel.port1.close()
      resolve(null)
    }, timeoutMs)
    channel.port1.onmessage = (event: MessageEvent) => {
      clearTimeout(timer)
      channel.port1.close()
      resolve(event.data)
    }
    worker.postMessage(message, [channel.port2])
  })
}

/** Fire-and-forget message to the worker, if there is one now. */
export async function tellWorker(message: SwMessage): Promise<void> {
  const worker = await activeWorker()
  worker?.postMessage(message)
}
