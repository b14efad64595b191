import { STATUS_LABELS, type Order, type OrderStatus } from '../../protocol'
import { loadOutbox, useOrdersStore, type PatchResult } from '../stores/orders'
import { useDelayedChangesStore } from '../stores/delayedChanges'
import { useAdminApi } from './useAdminApi'

/** Buttons name what they do, not the state they lead to. */
export const ACTION_LABELS: Record<OrderStatus, string> = {
  placed: 'Mark placed',
  confirmed: 'Mark confirmed',
  preparing: 'Mark preparing',
  out_for_delivery: 'Mark out for delivery',
  delivered: 'Mark delivered',
  cancelled: 'Cancel order…',
}

export type Outcome = { tone: 'success' | 'warning' | 'error'; text: string }

function describeOutcome(result: PatchResult, target: OrderStatus, number?: number): Outcome {
  const which = number === undefined ? 'this order' : `order #${number}`
  if (result.ok) {
    const done = `${number === undefined ? 'Status' : `Order #${number}`} changed to ${STATUS_LABELS[result.order.status]}.`
    return { tone: 'success', text: done }
  }
  if (result.kind === 'queued') return { tone: 'warning', text: result.message }
  const now = result.current ? `It is now ${STATUS_LABELS[result.current.status]} (version ${result.current.version}).` : ''
  if (result.kind === 'conflict') {
    return { tone: 'warning', text: `Someone else changed ${which} while you were looking. ${now} Check it and try again.` }
  }
  if (result.kind === 'illegal') return { tone: 'error', text: `“${STATUS_LABELS[target]}” is not allowed from the current status. ${now}` }
  return { tone: 'error', text: result.message }
}

/**
 * One way to change a status, for the order page and the board rows alike: the orders store's
 * version check and outbox, and cancellations held back for the undo window first.
 */
export function useStatusChange() {
  const orders = useOrdersStore()
  const delayed = useDelayedChangesStore()
  const { run, messageOf } = useAdminApi()
  // Ready before the first change, so a send at pagehide is not held up by a module load. A load
  // that fails here (offline, the chunk never cached) is tried again by the first change.
  void loadOutbox().catch(() => undefined)
  async function send(order: Pick<Order, 'id' | 'number'>, target: OrderStatus, reason?: string, keepalive = false): Promise<Outcome> {
    try {
      const result = await run((token) => orders.patchStatus(order.id, target, token, reason, { keepalive }))
      return describeOutcome(result, target, order.number)
    } catch (caught) {
      return { tone: 'error', text: messageOf(caught, `The change to order #${order.number} could not be saved.`) }
    }
  }

  /** A forward step: sent at once (callers keep one change per order in flight). */
  function advance(order: Pick<Order, 'id' | 'number'>, target: OrderStatus): Promise<Outcome> {
    return send(order, target)
  }

  /**
   * A cancellation: held for the undo window, then sent with its reason. `onSent` hears how it
   * went (the view may be gone by then; the undo bar reports it too).
   */
  function cancel(order: Pick<Order, 'id' | 'number'>, reason: string, onSent?: (outcome: Outcome) => void): void {
    delayed.schedule({ orderId: order.id, orderNumber: order.number, status: 'cancelled', reason }, async (exiting) => {
      // A tab being closed: keepalive lets the request finish after the page is gone.
      const outcome = await send(order, 'cancelled', reason, exiting)
      delayed.report(order.id, outcome)
      onSent?.(outcome)
    })
  }

  return { advance, cancel }
}
