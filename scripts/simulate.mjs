#!/usr/bin/env node
// `npm run simulate -- --url http://127.0.0.1:3000 --rate 2 --duration 60`
// Demo traffic against a running server: places orders at `--rate` per second and advances
// statuses of open orders (as the admin) at `--advance` per second, for `--duration` seconds,
// printing every action. Bounded: rate ≤ 50/s, duration ≤ 1 h, `--max-orders` (default 10,000).
// Note the server's per-address order limit (ORDERLINE_ORDER_RATE_LIMIT, default 60/min):
// start the server with a higher one for rates above 1/s; 429s are reported, never retried hard.
import { parseArgs } from 'node:util'

const NEXT = { placed: 'confirmed', confirmed: 'preparing', preparing: 'out_for_delivery', out_for_delivery: 'delivered' }
const NAMES = [
  'Ada Lovelace',
  'Alan Turing',
  'Grace Hopper',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Ken Thompson',
  'Radia Perlman',
  'Tim Berners-Lee',
]

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.ORDERLINE_URL ?? 'http://127.0.0.1:3000' },
    rate: { type: 'string', default: '1' },
    advance: { type: 'string' },
    duration: { type: 'string', default: '60' },
    'max-orders': { type: 'string', default: '10000' },
    'cancel-ratio': { type: 'string', default: '0.05' },
    email: { type: 'string', default: process.env.ADMIN_EMAIL ?? 'admin@orderline.local' },
    password: { type: 'string', default: process.env.ADMIN_PASSWORD ?? 'orderline-demo' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  console.log(
    'usage: npm run simulate -- [--url URL] [--rate orders/s] [--advance changes/s] [--duration s] [--max-orders n] [--email E --password P] [--quiet]',
  )
  process.exit(0)
}

function number(name, min, max) {
  const value = Number(values[name])
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`--${name} must be a number between ${min} and ${max}`)
    process.exit(2)
  }
  return value
}

let base
try {
  base = new URL(values.url).origin
} catch {
  console.error(`--url is not a URL: ${values.url}`)
  process.exit(2)
}
const rate = number('rate', 0, 50)
values.advance ??= String(rate)
const advanceRate = number('advance', 0, 50)
const duration = number('duration', 1, 3600)
const maxOrders = number('max-orders', 0, 100_000)
const cancelRatio = number('cancel-ratio', 0, 1)
const log = (...args) => values.quiet || console.log(`[simulate ${new Date().toISOString().slice(11, 23)}]`, ...args)

async function call(path, init = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  let body
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  return { status: response.status, body }
}

const login = await call('/api/auth/login', {
  method: 'POST',
  body: JSON.stringify({ email: values.email, password: values.password }),
}).catch((error) => {
  console.error(`cannot reach ${base}: ${error.message}`)
  process.exit(1)
})
if (login.status !== 200) {
  console.error(`admin login failed (${login.status}); pass --email/--password or ADMIN_EMAIL/ADMIN_PASSWORD`)
  process.exit(1)
}
const auth = { authorization: `Bearer ${login.body.token}` }
const products = await call('/api/products')
const catalogue = Array.isArray(products.body) ? products.body : (products.body?.products ?? [])
if (catalogue.length === 0) {
  console.error('the server has no products')
  process.exit(1)
}

/** Open orders this run knows about, by id: {id, number, status, version}. */
const open = new Map()
const counts = { placed: 0, advanced: 0, rejected: 0, errors: 0 }
const pick = (list) => list[Math.floor(Math.random() * list.length)]

async function placeOne() {
  const items = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => ({
    productId: pick(catalogue).id,
    quantity: 1 + Math.floor(Math.random() * 3),
  }))
  const name = pick(NAMES)
  const email = `${name.split(' ')[0].toLowerCase()}.${Math.floor(Math.random() * 1000)}@example.com`
  const res = await call('/api/orders', { method: 'POST', body: JSON.stringify({ items, customer: { name, email } }) })
  if (res.status === 201) {
    const { order } = res.body
    counts.placed++
    open.set(order.id, order)
    log(`placed  #${order.number} ${name} ${(order.totalCents / 100).toFixed(2)}`)
  } else {
    counts[res.status === 429 ? 'rejected' : 'errors']++
    log(
      `place failed: ${res.status} ${res.body?.error?.code ?? ''}${res.status === 429 ? ' (raise ORDERLINE_ORDER_RATE_LIMIT on the server)' : ''}`,
    )
  }
}

async function advanceOne() {
  if (open.size === 0) return
  const order = pick([...open.values()])
  const status = Math.random() < cancelRatio ? 'cancelled' : NEXT[order.status]
  const res = await call(`/api/orders/${order.id}`, {
    method: 'PATCH',
    headers: auth,
    body: JSON.stringify({ status, version: order.version }),
  })
  if (res.status === 200) {
    counts.advanced++
    if (status === 'delivered' || status === 'cancelled') open.delete(order.id)
    else open.set(order.id, res.body)
    log(`advance #${order.number} ${order.status} → ${status}`)
  } else if (res.status === 409 || res.status === 422) {
    // Someone else moved it (an admin on the board): take the current copy and go on.
    const current = res.body?.error?.current
    if (current && NEXT[current.status]) open.set(order.id, current)
    else open.delete(order.id)
    log(`advance #${order.number} skipped: ${res.body?.error?.code}`)
  } else {
    counts.errors++
    log(`advance failed: ${res.status}`)
  }
}

/** Fires `fn` `perSecond` times a second (fractional rates accumulate) until the end. */
function every(perSecond, fn, until, budget) {
  if (perSecond <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    let credit = 0
    let last = Date.now()
    const timer = setInterval(() => {
      const now = Date.now()
      credit += ((now - last) / 1000) * perSecond
      last = now
      if (now >= until || !budget()) {
        clearInterval(timer)
        resolve()
        return
      }
      for (; credit >= 1 && budget(); credit--) fn().catch((error) => (counts.errors++, log(`error: ${error.message}`)))
    }, 50)
  })
}

const until = Date.now() + duration * 1000
log(`against ${base}: ${rate} orders/s, ${advanceRate} status changes/s for ${duration} s (max ${maxOrders} orders)`)
let stopping = false
process.on('SIGINT', () => {
  if (stopping) process.exit(130)
  stopping = true
  log('stopping…')
})
await Promise.all([
  every(rate, placeOne, until, () => !stopping && counts.placed + counts.rejected + counts.errors < maxOrders),
  every(advanceRate, advanceOne, until, () => !stopping),
])
console.log(
  `[simulate] done: ${counts.placed} placed, ${counts.advanced} status changes, ${counts.rejected} rate-limited, ${counts.errors} errors`,
)
process.exit(counts.errors > 0 ? 1 : 0)
