/**
 * The paced PATCH driver shared by the server, capacity and artillery parts: `rate` status
 * changes per second for `seconds`, as the admin, round-robin over the orders.
 */
import http from 'node:http'
import type { Order, OrderStatus } from '../../src/protocol'
import { sleep } from './stats'

/** The path every order walks, one change at a time. */
export const STATUS_PATH: OrderStatus[] = ['confirmed', 'preparing', 'out_for_delivery', 'delivered']

/**
 * The admin's HTTP connections, bounded: fetch would open one per change in flight, and every
 * descriptor the driver takes is one the server cannot give a watcher at its file-limit ceiling.
 */
const patchAgent = new http.Agent({ keepAlive: true, maxSockets: 16 })

function patch(url: string, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'PATCH', agent: patchAgent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      },
    )
    request.on('error', (error) => resolve({ status: 0, body: error.message }))
    request.end(body)
  })
}

export interface PacedChanges {
  /** `<orderId>:<version after the change>` → epoch ms (sub-ms) just before its PATCH was sent. */
  sentAt: Map<string, number>
  /** Changes per second actually completed. */
  achieved: number
  /** PATCHes that did not answer 200 (their receipts are not expected). */
  failed: number
  firstFailure: string
}

/**
 * One promise chain per order, so a server that falls behind shows as latency and a lower achieved
 * rate, never as a 409. Every order takes at most four changes (its path to delivered), so it
 * needs orders ≥ rate × seconds ÷ 4. A failed PATCH is counted, not thrown: one failure must not
 * end the run (the later changes of its order fail too).
 */
export async function pacedChanges(
  server: { url: string; adminToken(): Promise<string> },
  orders: Order[],
  rate: number,
  seconds: number,
): Promise<PacedChanges> {
  const total = rate * seconds
  const needed = Math.ceil(total / STATUS_PATH.length)
  if (orders.length < needed) throw new Error(`${total} changes need ${needed} orders, have ${orders.length}`)
  const token = await server.adminToken()
  const sentAt = new Map<string, number>()
  let failed = 0
  let firstFailure = ''
  const chains = orders.map(() => Promise.resolve())
  const start = performance.now()
  for (let i = 0; i < total; i++) {
    const slot = i % orders.length
    const order = orders[slot] as Order
    const step = Math.floor(i / orders.length)
    const wait = start + (i * 1000) / rate - performance.now()
    if (wait > 0) await sleep(wait)
    const version = order.version + step
    chains[slot] = (chains[slot] as Promise<void>).then(async () => {
      const key = `${order.id}:${version + 1}`
      sentAt.set(key, performance.timeOrigin + performance.now())
      const { status, body } = await patch(
        `${server.url}/api/orders/${order.id}`,
        token,
        JSON.stringify({ status: STATUS_PATH[step], version }),
      )
      if (status !== 200) {
        sentAt.delete(key)
        failed++
        firstFailure ||= `PATCH ${status}: ${body.slice(0, 200)}`
      }
    })
  }
  await Promise.all(chains)
  return { sentAt, achieved: total / ((performance.now() - start) / 1000), failed, firstFailure }
}
