/**
 * Demo data for an empty database, so `npm start` shows a living board straight away. Orders are
 * spread over the last hour so the dashboard's per-minute chart has a shape.
 */
import type { OrderStatus } from '../../src/protocol/order'
import type { OpenDatabase } from './db'
import { changeStatus, placeOrder } from './orders'

const DEMO_PRODUCTS = [
  { id: 'espresso', name: 'Espresso', description: 'A short, strong shot.', price_cents: 280 },
  { id: 'flat-white', name: 'Flat white', description: 'Double shot with silky milk.', price_cents: 390 },
  { id: 'croissant', name: 'Croissant', description: 'Butter, flour, patience.', price_cents: 325 },
  { id: 'bagel', name: 'Smoked salmon bagel', description: 'Cream cheese, capers, dill.', price_cents: 850 },
  { id: 'granola', name: 'Granola bowl', description: 'Yoghurt, berries, honey.', price_cents: 675 },
  { id: 'lemonade', name: 'Lemonade', description: 'Fresh lemons, a little mint.', price_cents: 450 },
] as const

const DEMO_ORDERS: { minutesAgo: number; name: string; items: [string, number][]; note?: string; path: OrderStatus[] }[] = [
  {
    minutesAgo: 55,
    name: 'Ada Lovelace',
    items: [
      ['flat-white', 2],
      ['croissant', 2],
    ],
    path: ['confirmed', 'preparing', 'out_for_delivery', 'delivered'],
  },
  { minutesAgo: 41, name: 'Alan Turing', items: [['espresso', 1]], path: ['cancelled'] },
  {
    minutesAgo: 30,
    name: 'Grace Hopper',
    items: [
      ['bagel', 1],
      ['lemonade', 1],
    ],
    note: 'Ring twice, please.',
    path: ['confirmed', 'preparing', 'out_for_delivery'],
  },
  { minutesAgo: 18, name: 'Edsger Dijkstra', items: [['granola', 1]], path: ['confirmed', 'preparing'] },
  {
    minutesAgo: 9,
    name: 'Barbara Liskov',
    items: [
      ['espresso', 2],
      ['croissant', 1],
    ],
    path: ['confirmed'],
  },
  { minutesAgo: 2, name: 'Donald Knuth', items: [['flat-white', 1]], path: [] },
]

/** Seeds only when the catalogue is empty: never overwrites an operator's data. */
export async function seedDemoData(target: OpenDatabase, now = new Date()): Promise<boolean> {
  const { db } = target
  const existing = await db.selectFrom('products').select('id').limit(1).execute()
  if (existing.length > 0) return false
  await db
    .insertInto('products')
    .values(DEMO_PRODUCTS.map((p, i) => ({ ...p, sort_order: i })))
    .execute()
  for (const demo of DEMO_ORDERS) {
    let at = now.getTime() - demo.minutesAgo * 60_000
    const placed = await placeOrder(
      target,
      {
        items: demo.items.map(([productId, quantity]) => ({ productId, quantity })),
        customer: { name: demo.name, email: `${demo.name.split(' ')[0]!.toLowerCase()}@example.com` },
        ...(demo.note ? { note: demo.note } : {}),
      },
      new Date(at),
    )
    if (!placed.ok) throw new Error(`demo seed: ${placed.message}`)
    let version = 1
    for (const status of demo.path) {
      at += 4 * 60_000
      await changeStatus(target, { orderId: placed.change.order.id, status, version }, new Date(Math.min(at, now.getTime())))
      version += 1
    }
  }
  return true
}
