import type { Pinia } from 'pinia'
import { useOrdersStore } from '../stores/orders'
import { useSessionStore } from '../stores/session'

const PREFIX = /^\(\d+\+?\) /

/** "(3) Order board · Orderline": the count first, where a narrow tab strip still shows it. */
export function titleWithCount(title: string, count: number): string {
  const base = title.replace(PREFIX, '')
  if (count <= 0) return base
  return `(${count > 99 ? '99+' : count}) ${base}`
}

/**
 * Counts the new orders that arrived while this tab was hidden and puts the count in its title,
 * so an admin with many tabs sees which one has news. Viewing the tab clears it. For the tab's
 * lifetime, started after the first render (src/app/startLater.ts).
 */
export function startUnseenOrdersTitle(pinia: Pinia): void {
  const orders = useOrdersStore(pinia)
  const session = useSessionStore(pinia)
  let unseen = 0

  const render = () => {
    const next = titleWithCount(document.title, unseen)
    if (next !== document.title) document.title = next
  }
  orders.$onAction(({ name, args, after }) => {
    if (name !== 'applyNewOrder') return
    // Only orders this tab had not seen (a replayed event adds nothing), only for admins.
    const id = (args[0] as { order: { id: string } }).order.id
    const known = orders.byId[id] !== undefined
    after(() => {
      if (known || !session.isAdmin || document.visibilityState !== 'hidden') return
      unseen++
      render()
    })
  })
  const onVisibility = () => {
    if (document.visibilityState !== 'visible' || unseen === 0) return
    unseen = 0
    render()
  }
  document.addEventListener('visibilitychange', onVisibility)
}
