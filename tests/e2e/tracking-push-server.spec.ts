/**
 * The whole push chain but the browser's push service: the page subscribes with the server's
 * VAPID key and registers the subscription with the tracking token; the server encrypts each
 * status change for it; the service worker shows what that message says; "Turn off" removes the
 * subscription from the server. Chromium here cannot reach a push service, so the test stands in
 * for it at both ends: `pushManager.subscribe` answers a subscription whose endpoint is a loopback
 * receiver (tests/server/pushSupport.ts, allowed by ORDERLINE_PUSH_ALLOW_INSECURE=1) holding the
 * browser keys, and what the receiver decrypts is delivered to the real service worker over CDP.
 */
import type { BrowserContext } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { browserKeys, decryptPush, startPushReceiver, type PushReceiver } from '../server/pushSupport'
import { expect, test } from './fixtures'

test.use({ serverOptions: { env: { ORDERLINE_PUSH_ALLOW_INSECURE: '1' } } })

let receiver: PushReceiver
test.beforeAll(async () => {
  receiver = await startPushReceiver()
})
test.afterAll(async () => {
  await receiver.close()
})

async function titlesIn(context: BrowserContext): Promise<string[]> {
  const worker = context.serviceWorkers().at(-1) ?? (await context.waitForEvent('serviceworker'))
  return worker.evaluate(async () =>
    (await (self as unknown as { registration: ServiceWorkerRegistration }).registration.getNotifications()).map((n) => n.title),
  )
}

test('subscribe, receive the encrypted status change, show it; turning off removes the subscription', async ({ browser, server }) => {
  test.setTimeout(90_000)
  const keys = browserKeys()
  const endpoint = `${receiver.url}/push/${Date.now()}`
  const placed = await placeOrder(server)
  let order = placed.order
  const context = await browser.newContext()
  await context.grantPermissions(['notifications'], { origin: server.url })
  // The stand-in push service: a subscription as the browser would make it, for our receiver.
  await context.addInitScript(
    ({ endpoint, json }) => {
      // One subscription per browser, as a real one: it outlives the page that made it.
      const KEY = 'test.pushSubscription'
      const scope = window as unknown as { __subscribeKey: number[] | null }
      scope.__subscribeKey = null
      const make = (key: number[]): PushSubscription =>
        ({
          endpoint,
          expirationTime: null,
          options: { applicationServerKey: new Uint8Array(key).buffer, userVisibleOnly: true },
          getKey: () => null,
          toJSON: () => ({ endpoint, expirationTime: null, keys: json }),
          unsubscribe: async () => (localStorage.setItem(KEY, 'unsubscribed'), true),
        }) as unknown as PushSubscription
      PushManager.prototype.getSubscription = async () => {
        const held = localStorage.getItem(KEY)
        return held && held !== 'unsubscribed' ? make(JSON.parse(held) as number[]) : null
      }
      PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
        const key = Array.from(new Uint8Array(options?.applicationServerKey as ArrayBuffer))
        scope.__subscribeKey = key
        localStorage.setItem(KEY, JSON.stringify(key))
        return make(key)
      }
    },
    { endpoint, json: keys.json },
  )
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, placed.trackingToken))
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    const notify = page.getByTestId('order-notify')
    await notify.getByRole('button', { name: 'Notify me about this order' }).click()
    await expect(notify).toHaveAttribute('data-state', 'on')
    await expect(notify).toContainText('Notifications on for this order')
    // Subscribed with the server's VAPID public key.
    const publicKey = ((await (await fetch(`${server.url}/api/push/public-key`)).json()) as { publicKey: string }).publicKey
    const usedKey = await page.evaluate(() => (window as unknown as { __subscribeKey: number[] }).__subscribeKey)
    expect(Buffer.from(usedKey).toString('base64url')).toBe(publicKey)
    await page.close()

    order = await setStatus(server, order, 'confirmed')
    const [message] = await receiver.waitFor(1, 15_000)
    const payload = JSON.parse(decryptPush(message!.body, keys).toString('utf8')) as unknown
    expect(payload).toEqual({ orderId: order.id, number: order.number, status: 'confirmed', version: order.version })

    // What the push service would deliver, delivered to the real service worker.
    const blank = await context.newPage()
    const cdp = await context.newCDPSession(blank)
    const registrationId = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(server.url))
        if (ours) resolve(ours.registrationId)
      }),
    )
    await cdp.send('ServiceWorker.enable')
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: server.url,
      registrationId: await registrationId,
      data: JSON.stringify(payload),
    })
    await expect.poll(() => titlesIn(context)).toEqual([`Confirmed · Order #${order.number}`])

    // Turning off: the server forgets the subscription (no more messages) and, as no other order
    // uses it, the browser's subscription ends.
    const again = await context.newPage()
    await again.goto(server.url + trackingPath(order, placed.trackingToken))
    await expect(again.getByTestId('order-notify')).toHaveAttribute('data-state', 'on')
    await again.getByTestId('order-notify').getByRole('button', { name: 'Turn off' }).click()
    await expect(again.getByTestId('order-notify')).toHaveAttribute('data-state', 'off')
    expect(await again.evaluate(() => localStorage.getItem('test.pushSubscription'))).toBe('unsubscribed')
    await setStatus(server, order, 'preparing')
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(receiver.received).toHaveLength(1)
  } finally {
    await context.close()
  }
})
