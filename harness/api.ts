/** Thin REST helpers for arranging test state over real HTTP. */
import type { Order, OrderStatus, Product } from '../src/protocol'
import type { TestServer } from './server'

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

export async function placeOrder(
  server: TestServer,
  note?: string,
  name = 'Ada Lovelace',
  delivery: { address?: string; phone?: string } = {},
): Promise<{ order: Order; trackingToken: string }> {
  const products = await json<Product[] | { products: Product[] }>(await fetch(`${server.url}/api/products`))
  const list = Array.isArray(products) ? products : products.products
  const first = list[0]
  if (!first) throw new Error('no products seeded')
  return json(
    await fetch(`${server.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ productId: first.id, quantity: 2 }],
        customer: { name, email: 'ada@example.com', ...delivery },
        ...(note ? { note } : {}),
      }),
    }),
  )
}

export async function setStatus(server: TestServer, order: Pick<Order, 'id' | 'version'>, status: OrderStatus): Promise<Order> {
  const response = await fetch(`${server.url}/api/orders/${order.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.adminToken()}` },
    body: JSON.stringify({ status, version: order.version }),
  })
  const body = await json<Order | { order: Order }>(response)
  return 'order' in body ? body.order : body
}

export function trackingPath(order: Pick<Order, 'id'>, token: string): string {
  return `/track/${order.id}#t=${token}`
}

/** The orders the admin list finds for `q` (number, customer name or email), over the admin API. */
export async function findOrders(server: TestServer, q: string): Promise<Order[]> {
  const response = await fetch(`${server.url}/api/orders?q=${encodeURIComponent(q)}&limit=100`, {
    headers: { authorization: `Bearer ${await server.adminToken()}` },
  })
  return (await json<{ orders: Order[] }>(response)).orders
}
