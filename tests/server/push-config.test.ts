/**
 * Web Push settings and the send queue's bounds, without a network: VAPID variables are checked
 * at start, and a full queue drops messages instead of growing.
 */
import webpush from 'web-push'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config'
import { createPushSender } from '../../server/push/sender'
import type { PushOutcome } from '../../server/push/sender'
import type { StoredSubscription } from '../../server/store/push'
import type { Order } from '../../src/protocol/order'
import { browserKeys } from './pushSupport'

describe('VAPID and push settings', () => {
  const keys = webpush.generateVAPIDKeys()

  it('takes a full key pair and a subject from the environment', () => {
    const config = loadConfig({
      VAPID_PUBLIC_KEY: keys.publicKey,
      VAPID_PRIVATE_KEY: keys.privateKey,
      VAPID_SUBJECT: 'mailto:ops@example.com',
    })
    expect(config.vapidKeys).toEqual(keys)
    expect(config.vapidSubject).toBe('mailto:ops@example.com')
    expect(loadConfig({}).vapidKeys).toBeNull()
    expect(loadConfig({ VAPID_SUBJECT: 'https://shop.example.com/contact' }).vapidSubject).toBe('https://shop.example.com/contact')
  })

  it('refuses half a pair, wrong sizes, a bad subject, and the insecure test switch in production', () => {
    const bad = [
      { VAPID_PUBLIC_KEY: keys.publicKey },
      { VAPID_PRIVATE_KEY: keys.privateKey },
      { VAPID_PUBLIC_KEY: keys.privateKey, VAPID_PRIVATE_KEY: keys.privateKey },
      { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: `${keys.privateKey}AA` },
      { VAPID_PUBLIC_KEY: `${keys.publicKey}!`, VAPID_PRIVATE_KEY: keys.privateKey },
      { VAPID_SUBJECT: 'ops@example.com' },
      { VAPID_SUBJECT: 'http://example.com' },
      { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: 'a-real-password', ORDERLINE_PUSH_ALLOW_INSECURE: '1' },
      { ORDERLINE_ETA_REFRESH_MS: '-1' },
    ]
    for (const env of bad) expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError)
  })
})

describe('the send queue', () => {
  it('is bounded: past queueLimit messages are dropped, not queued, and the PATCH side never waits', async () => {
    const subscriptions: StoredSubscription[] = Array.from({ length: 6 }, (_, i) => ({
      id: `sub_${i}`,
      order_id: 'ord_q',
      // Port 9 on loopback: nothing listens, every attempt fails fast and waits for a retry.
      endpoint: `http://127.0.0.1:9/push/${i}`,
      ...browserKeys().json,
      created_at: new Date().toISOString(),
    }))
    const outcomes: PushOutcome[] = []
    const sender = createPushSender({
      vapid: { ...webpush.generateVAPIDKeys(), subject: 'mailto:test@example.com' },
      store: { listPushSubscriptions: async () => subscriptions, deletePushSubscription: async () => {} },
      policy: { allowInsecureLoopback: true },
      maxAttempts: 2,
      retryBaseMs: 20,
      queueLimit: 4,
      onError: (error) => {
        throw error
      },
      onOutcome: (outcome) => outcomes.push(outcome),
    })
    const order = { id: 'ord_q', number: 7, status: 'confirmed', version: 2 } as Order
    const started = performance.now()
    sender.orderChanged(order)
    expect(performance.now() - started).toBeLessThan(20)
    await sender.idle()
    expect(outcomes.filter((o) => o === 'dropped')).toHaveLength(2)
    expect(outcomes.filter((o) => o === 'retry')).toHaveLength(4)
    expect(outcomes.filter((o) => o === 'gave_up')).toHaveLength(4)
    expect(sender.pending).toBe(0)
    sender.close()
  })
})
