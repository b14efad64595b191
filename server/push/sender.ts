/**
 * Sends Web Push messages for order status changes. The PATCH that committed the change calls
 * `orderChanged` and answers at once: reading the subscriptions, encrypting (RFC 8291,
 * aes128gcm, by `web-push`), signing (VAPID, RFC 8292) and posting all happen afterwards, in a
 * bounded in-memory queue, so a slow or failing push service can neither delay nor fail a status
 * change. Only the node that committed a change sends it (nothing here listens to the cluster).
 *
 * Outcomes per message: 2xx done; 404/410 the subscription is gone and deleted; 429, 5xx,
 * timeouts and network errors are retried with exponential backoff and jitter (Retry-After
 * honoured up to a cap) for a bounded number of attempts; anything else is given up.
 * After the last message of a delivered or cancelled order, its subscriptions are deleted.
 */
import { request as httpRequest } from 'node:http'
import type { ClientRequest, IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { LookupFunction } from 'node:net'
import webpush from 'web-push'
import { isTerminal } from '../../src/protocol/order'
import type { Order } from '../../src/protocol/order'
import type { PushPayload } from '../../src/protocol/answers'
import type { StoredSubscription } from '../store/push'
import { checkPushEndpoint } from './endpoint'
import type { EndpointPolicy, ResolvedEndpoint } from './endpoint'

interface VapidDetails {
  publicKey: string
  privateKey: string
  /** `mailto:` or `https:` contact for push services (RFC 8292 `sub`). */
  subject: string
}

/** What the sender needs from the store. */
interface PushSubscriptionStore {
  listPushSubscriptions(orderId: string): Promise<StoredSubscription[]>
  deletePushSubscription(id: string): Promise<void>
}

export type PushOutcome = 'sent' | 'gone' | 'retry' | 'gave_up' | 'dropped' | 'refused'

export interface PushSenderOptions {
  vapid: VapidDetails
  store: PushSubscriptionStore
  policy: EndpointPolicy
  /** Attempts per message, the first included. */
  maxAttempts: number
  /** First retry delay; doubles per attempt (with ±50 % jitter), capped at `retryMaxMs`. */
  retryBaseMs: number
  retryMaxMs?: number
  /** Messages queued, waiting for a retry or in flight, at most; more are dropped. */
  queueLimit: number
  concurrency?: number
  requestTimeoutMs?: number
  /** How long the push service keeps an undelivered message (TTL header), seconds. */
  ttlSeconds?: number
  onError: (error: unknown) => void
  /** Each message's fate, for logs and tests. */
  onOutcome?: (outcome: PushOutcome, detail: { orderId: string; endpoint: string; status?: number; attempt: number }) => void
}

export interface PushSender {
  /** After a committed status change: queues one message per subscription. Never throws or waits. */
  orderChanged(order: Order): void
  /** Resolves once nothing is being prepared, queued, waiting for a retry or in flight. */
  idle(): Promise<void>
  /** Stops: pending retries are dropped and requests in flight aborted. */
  close(): void
  /** Messages queued, waiting or in flight. */
  readonly pending: number
}

interface Job {
  subscription: StoredSubscription
  orderId: string
  payload: string
  topic: string | undefined
  /** The order reached delivered or cancelled: delete the subscription once this job ends. */
  final: boolean
  attempt: number
}

type Attempt = { kind: 'status'; status: number; retryAfterMs: number | undefined } | { kind: 'network'; error: unknown }

/** Connects to the checked address whatever the resolver would say now (no DNS rebinding). */
function pinnedLookup({ address, family }: ResolvedEndpoint): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }])
    else callback(null, address, family)
  }) as LookupFunction
}

function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['retry-after']
  if (!raw) return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(raw)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/** Topic lets a push service replace an older undelivered message of the same order. */
function topicFor(orderId: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,32}$/.test(orderId) ? orderId : undefined
}

export function createPushSender(options: PushSenderOptions): PushSender {
  const concurrency = options.concurrency ?? 4
  const retryMaxMs = options.retryMaxMs ?? 60_000
  const timeoutMs = options.requestTimeoutMs ?? 10_000
  const queue: Job[] = []
  const waiting = new Set<NodeJS.Timeout>()
  const inFlight = new Set<ClientRequest>()
  let active = 0
  let preparing = 0
  let closed = false
  let idleWaiters: (() => void)[] = []

  const pendingCount = () => queue.length + waiting.size + active
  const report = (outcome: PushOutcome, job: Job, status?: number) =>
    options.onOutcome?.(outcome, {
      orderId: job.orderId,
      endpoint: job.subscription.endpoint,
      attempt: job.attempt,
      ...(status === undefined ? {} : { status }),
    })

  const checkIdle = () => {
    if (preparing > 0 || pendingCount() > 0) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  const removeSubscription = (job: Job) => {
    // After close the store is (about to be) closed too; a leftover is pruned at the next start.
    if (closed) return
    preparing++
    options.store
      .deletePushSubscription(job.subscription.id)
      .catch(options.onError)
      .finally(() => {
        preparing--
        checkIdle()
      })
  }

  /** The job will not be tried again: the last message of a finished order ends its subscription. */
  const finish = (job: Job) => {
    if (job.final) removeSubscription(job)
  }

  const enqueue = (job: Job) => {
    if (closed) return
    if (pendingCount() >= options.queueLimit) {
      report('dropped', job)
      finish(job)
      return
    }
    queue.push(job)
    pump()
  }

  const retry = (job: Job, hintMs: number | undefined, status?: number) => {
    if (job.attempt >= options.maxAttempts || closed) {
      report('gave_up', job, status)
      finish(job)
      return
    }
    report('retry', job, status)
    const backoff = options.retryBaseMs * 2 ** (job.attempt - 1) * (0.5 + Math.random())
    const delay = Math.min(retryMaxMs, Math.max(backoff, hintMs ?? 0))
    const timer = setTimeout(() => {
      waiting.delete(timer)
      queue.push(job)
      pump()
    }, delay)
    timer.unref()
    waiting.add(timer)
  }

  const post = (job: Job, endpoint: ResolvedEndpoint): Promise<Attempt> => {
    const details = webpush.generateRequestDetails(
      { endpoint: job.subscription.endpoint, keys: { p256dh: job.subscription.p256dh, auth: job.subscription.auth } },
      job.payload,
      {
        vapidDetails: options.vapid,
        TTL: options.ttlSeconds ?? 3600,
        contentEncoding: 'aes128gcm',
        urgency: 'normal',
        ...(job.topic ? { topic: job.topic } : {}),
      },
    )
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(details.headers)) headers[name] = String(value)
    const { url } = endpoint
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
    const secure = url.protocol === 'https:'
    return new Promise<Attempt>((resolve) => {
      const request = (secure ? httpsRequest : httpRequest)(
        {
          method: 'POST',
          host,
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          headers,
          lookup: pinnedLookup(endpoint),
          ...(secure && isIP(host) === 0 ? { servername: host } : {}),
          agent: false,
          timeout: timeoutMs,
        },
        (response) => {
          // The answer's body is of no use; drain it so the socket closes.
          response.resume()
          resolve({ kind: 'status', status: response.statusCode ?? 0, retryAfterMs: retryAfterMs(response.headers) })
        },
      )
      inFlight.add(request)
      request.on('timeout', () => request.destroy(new Error('push request timed out')))
      request.on('error', (error) => resolve({ kind: 'network', error }))
      request.on('close', () => inFlight.delete(request))
      request.end(details.body)
    })
  }

  const attempt = async (job: Job): Promise<void> => {
    job.attempt += 1
    // Checked again at send time: the name may resolve elsewhere than when the customer subscribed.
    const check = await checkPushEndpoint(job.subscription.endpoint, options.policy)
    if (!check.ok) {
      if (check.code === 'push_endpoint_unresolvable') return retry(job, undefined)
      // An endpoint that now points inward is not a push service: the subscription goes.
      report('refused', job)
      removeSubscription(job)
      return
    }
    if (closed) return
    const result = await post(job, check.endpoint)
    if (closed) return
    if (result.kind === 'network') return retry(job, undefined)
    const { status } = result
    if (status >= 200 && status < 300) {
      report('sent', job, status)
      finish(job)
    } else if (status === 404 || status === 410) {
      report('gone', job, status)
      removeSubscription(job)
    } else if (status === 429 || status >= 500) {
      retry(job, result.retryAfterMs, status)
    } else {
      report('gave_up', job, status)
      finish(job)
    }
  }

  const pump = () => {
    while (!closed && active < concurrency && queue.length > 0) {
      const job = queue.shift()!
      active++
      attempt(job)
        .catch((error: unknown) => {
          options.onError(error)
          finish(job)
        })
        .finally(() => {
          active--
          pump()
          checkIdle()
        })
    }
  }

  return {
    orderChanged(order) {
      if (closed) return
      const payload: PushPayload = { orderId: order.id, number: order.number, status: order.status, version: order.version }
      const body = JSON.stringify(payload)
      const final = isTerminal(order.status)
      preparing++
      options.store
        .listPushSubscriptions(order.id)
        .then((subscriptions) => {
          for (const subscription of subscriptions) {
            enqueue({ subscription, orderId: order.id, payload: body, topic: topicFor(order.id), final, attempt: 0 })
          }
        })
        .catch(options.onError)
        .finally(() => {
          preparing--
          checkIdle()
        })
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        checkIdle()
      })
    },
    close() {
      closed = true
      queue.length = 0
      for (const timer of waiting) clearTimeout(timer)
      waiting.clear()
      for (const request of inFlight) request.destroy()
      checkIdle()
    },
    get pending() {
      return pendingCount()
    },
  }
}
