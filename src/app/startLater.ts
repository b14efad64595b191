/**
 * What the app starts once the first render is under way: not needed to show the page, so it is a
 * chunk of its own and runs in a task of its own (the start-up task ends with the page mounted;
 * docs/decisions.md, "First visit on a phone").
 *
 * - The offline outbox: an admin's queued status changes. Its sender (and the replay code) loads
 *   for an admin session, or when this device still holds changes queued by one; a customer's
 *   page carries none of it.
 * - The customer's orders queued offline: sent now and whenever the network returns.
 * - The count of new orders an admin's hidden tab has not shown yet, in its title.
 */
import type { Pinia } from 'pinia'
import { watch } from 'vue'
import { startUnseenOrdersTitle } from './composables/unseenOrdersTitle'
import { startPlacementSync } from './offline/placementSync'
import { useOrdersStore } from './stores/orders'
import { useOutboxStore } from './stores/outbox'
import { usePlacementsStore } from './stores/placements'
import { useSessionStore } from './stores/session'

export function startLater(pinia: Pinia): void {
  const orders = useOrdersStore(pinia)
  const outbox = useOutboxStore(pinia)
  const session = useSessionStore(pinia)
  let outboxStarted = false
  const startOutbox = (): void => {
    if (outboxStarted) return
    outboxStarted = true
    void import('./offline/outboxSync').then(({ startOutboxSync }) =>
      startOutboxSync({ outbox, applyOrder: (order) => orders.applyOrder(order) }),
    )
  }
  watch(
    () => session.isAdmin,
    (admin) => admin && startOutbox(),
    { immediate: true },
  )
  void outbox.load().then(() => outbox.hasPending() && startOutbox())
  startPlacementSync({ queue: usePlacementsStore(pinia) })
  startUnseenOrdersTitle(pinia)
}
