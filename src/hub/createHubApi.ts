/**
 * The HubApi over a Hub: the handshake (protocol and build must match), tab liveness through
 * Web Locks, and input checks on everything a tab sends. Shared by the SharedWorker entry and
 * the in-page hosts, which differ only in how the API reaches the tab.
 */
import { isId, isToken, type Ack } from '../protocol'
import { HUB_PROTOCOL_VERSION, type Interest } from '@shared/hubTypes'
import type { HelloRequest, HelloResult, HubApi, HubListener } from '@shared/hubApi'
import type { Hub } from './hub'

export interface HubApiOptions {
  /** config.buildId of the build hosting the hub. */
  build: string
  /** The lock manager used to learn that a tab is gone; undefined → tabs are freed by `bye` only. */
  locks?: LockManager | undefined
  log?: (message: string, detail?: unknown) => void
  /**
   * Aborted when an in-page hub stops (a leader stepping down): its queued lock requests go with
   * it, instead of being granted later to a hub that no longer has the tabs.
   */
  stopped?: AbortSignal
}

const TAB_ID = /^[A-Za-z0-9-]{1,64}$/

function isInterest(value: unknown): value is Interest {
  if (typeof value !== 'object' || value === null) return false
  const interest = value as Record<string, unknown>
  if (interest.kind === 'admin' || interest.kind === 'stats') return true
  return interest.kind === 'order' && isId(interest.orderId) && isToken(interest.token)
}

const badRequest = (message: string): Ack => ({ ok: false, error: { code: 'bad_request', message } })

/**
 * Wraps a hub as the API exposed to tabs. For every tab that says hello with a lock name the
 * hub queues a request for that lock: the tab holds it for its whole life, so the request is
 * granted exactly when the tab is closed, crashes or is discarded, and the tab is then freed.
 */
export function createHubApi(hub: Hub, options: HubApiOptions): HubApi {
  const log = options.log ?? (() => {})
  /** tabId → aborts the pending lock request (bye, or a re-hello that starts a new one). */
  const lockWatches = new Map<string, AbortController>()
  options.stopped?.addEventListener(
    'abort',
    () => {
      for (const controller of lockWatches.values()) controller.abort()
      lockWatches.clear()
    },
    { once: true },
  )

  function watchLiveness(tabId: string, lockName: string): void {
    const locks = options.locks
    if (!locks || options.stopped?.aborted) return
    lockWatches.get(tabId)?.abort()
    const controller = new AbortController()
    lockWatches.set(tabId, controller)
    locks
      .request(lockName, { signal: controller.signal }, () => {
        if (lockWatches.get(tabId) !== controller) return
        lockWatches.delete(tabId)
        log('tab gone (lock granted)', { tabId })
        hub.removeTab(tabId)
      })
      .catch(() => {
        /* aborted by bye or a re-hello: nothing to free */
      })
  }

  function forget(tabId: string): void {
    lockWatches.get(tabId)?.abort()
    lockWatches.delete(tabId)
    hub.removeTab(tabId)
  }

  return {
    async hello(request: HelloRequest, listener: HubListener): Promise<HelloResult> {
      if (request.protocol !== HUB_PROTOCOL_VERSION) {
        return { ok: false, error: { code: 'protocol_mismatch', message: `hub speaks ${HUB_PROTOCOL_VERSION}, tab ${request.protocol}` } }
      }
      if (request.build !== options.build) {
        return { ok: false, error: { code: 'build_mismatch', message: `hub build ${options.build}, tab build ${request.build}` } }
      }
      if (!TAB_ID.test(request.tabId)) return { ok: false, error: { code: 'bad_request', message: 'bad tabId' } }
      hub.addTab(request.tabId, listener)
      if (request.lockName) watchLiveness(request.tabId, request.lockName)
      return { ok: true, status: hub.getStatus() }
    },
    async watch(tabId, interest) {
      if (!isInterest(interest)) return badRequest('bad interest')
      return hub.watch(tabId, interest)
    },
    async unwatch(tabId, interest) {
      if (isInterest(interest)) await hub.unwatch(tabId, interest)
    },
    async setCredentials(token) {
      if (token === null || isToken(token)) await hub.setCredentials(token)
    },
    async getStatus() {
      return hub.getStatus()
    },
    async setVisibility(tabId, visible) {
      if (typeof tabId === 'string' && typeof visible === 'boolean') hub.setVisibility(tabId, visible)
    },
    async pollNow() {
      hub.pollNow()
    },
    async bye(tabId) {
      forget(tabId)
    },
  }
}
