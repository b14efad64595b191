/** Web Push for customers: the server's VAPID key and one order's subscriptions (docs/protocol.md, "Web Push"). */
import { pushPublicKeySchema } from '../../protocol'
import { request, requestVoid } from './client'

export async function getPushPublicKey(): Promise<string> {
  return (await request('/api/push/public-key', pushPublicKeySchema)).publicKey
}

/** Registers this browser's subscription for one order's status changes (the tracking token authorises). */
export function addPushSubscription(orderId: string, token: string, subscription: PushSubscriptionJSON): Promise<void> {
  const { endpoint, expirationTime, keys } = subscription
  return requestVoid(`/api/orders/${encodeURIComponent(orderId)}/push-subscriptions`, {
    method: 'POST',
    token,
    body: { endpoint, expirationTime: expirationTime ?? null, keys: { p256dh: keys?.p256dh, auth: keys?.auth } },
  })
}

/** Stops them; the server answers 204 whether or not it still had it. */
export function removePushSubscription(orderId: string, token: string, endpoint: string): Promise<void> {
  return requestVoid(`/api/orders/${encodeURIComponent(orderId)}/push-subscriptions`, { method: 'DELETE', token, body: { endpoint } })
}
