/**
 * Queues an admin status change that could not reach the server. Keeps the idempotency key of
 * the attempt that failed: if that attempt did reach the server after all, the replay is applied
 * once, not twice. A change queued behind another for the same order expects that one's version.
 */
import type { Order, OrderStatus } from '../../protocol'
import { useOutboxStore } from '../stores/outbox'
import { requestBackgroundSync } from './outboxSync'

export const QUEUED_MESSAGE = 'You are offline: the change is saved on this device and will be sent when the network returns.'

export async function queueStatusChange(input: {
  key: string
  held: Order
  status: OrderStatus
  token: string
}): Promise<{ ok: false; kind: 'queued'; message: string } | null> {
  const outbox = useOutboxStore()
  if (!outbox.supported) return null
  const ahead = outbox.pendingAhead(input.held.id)
  await outbox.enqueue({
    key: input.key,
    orderId: input.held.id,
    orderNumber: input.held.number,
    fromStatus: ahead?.status ?? input.held.status,
    status: input.status,
    version: ahead ? ahead.version + 1 : input.held.version,
    token: input.token,
  })
  void requestBackgroundSync()
  return { ok: false, kind: 'queued', message: QUEUED_MESSAGE }
}

/** Whether a new change for this order must queue behind one already waiting (order matters). */
export function mustQueueBehind(orderId: string): boolean {
  return useOutboxStore().pendingAhead(orderId) !== null
}
