/**
 * The order repository. Every write is one transaction that also appends to the change log, so a
 * client resyncing from `seq` can never see an order change without its log entry (or vice versa).
 * Results are values (`{kind: ...}`), not exceptions: the routes map each kind to one HTTP answer.
 */
import { expressionBuilder, sql } from 'kysely'
import type { Expression, Kysely, Selectable, SqlBool } from 'kysely'
import { canTransition } from '../../src/protocol/order'
import type { Order, OrderChange, OrderItem, OrderStatus, StatusHistoryEntry } from '../../src/protocol/order'
import type { PlaceOrderBody } from '../../src/protocol/requests'
import { serializeWrites } from './db'
import type { OpenDatabase } from './db'
import type { Database, OrdersTable } from './schema'
import { hashToken, newId, newTrackingToken, tokenMatches } from './tokens'

type Db = Kysely<Database>

/** Order numbers start here so the first demo order reads like a real one. */
const FIRST_ORDER_NUMBER = 1001
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

function rowToOrder(row: Selectable<OrdersTable>): Order {
  const customer: Order['customer'] = { name: row.customer_name, email: row.customer_email }
  // Absent rather than null: orders without delivery details look exactly as they always did.
  if (row.customer_address !== null) customer.address = row.customer_address
  if (row.customer_phone !== null) customer.phone = row.customer_phone
  const order: Order = {
    id: row.id,
    number: row.number,
    status: row.status as OrderStatus,
    version: row.version,
    items: JSON.parse(row.items_json) as OrderItem[],
    totalCents: row.total_cents,
    customer,
    note: row.note,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: JSON.parse(row.history_json) as StatusHistoryEntry[],
  }
  // Absent rather than null, like the delivery details: other orders look as they always did.
  if (row.cancel_reason !== null) order.cancelReason = row.cancel_reason
  return order
}

export type PlaceOrderResult =
  { ok: true; change: OrderChange; trackingToken: string } | { ok: false; code: 'unknown_product'; message: string }

/**
 * Prices come from the catalogue inside the transaction; the client only names products. Writers
 * are serialized first (`serializeWrites`): that keeps `max(number) + 1` and the log's seq safe
 * with several nodes writing to one PostgreSQL.
 */
export async function placeOrder({ db, dialect }: OpenDatabase, body: PlaceOrderBody, now = new Date()): Promise<PlaceOrderResult> {
  return db.transaction().execute(async (trx): Promise<PlaceOrderResult> => {
    await serializeWrites(trx, dialect)
    return insertPlacedOrder(trx, body, now)
  })
}

/**
 * The body of `placeOrder`, for callers that already hold a transaction with writes serialized
 * (the idempotent checkout in placements.ts checks its key in the same transaction).
 */
export async function insertPlacedOrder(trx: Db, body: PlaceOrderBody, now: Date): Promise<PlaceOrderResult> {
  {
    const ids = [...new Set(body.items.map((item) => item.productId))]
    const products = await trx.selectFrom('products').selectAll().where('id', 'in', ids).execute()
    const byId = new Map(products.map((p) => [p.id, p]))
    const items: OrderItem[] = []
    const missing: string[] = []
    for (const line of body.items) {
      const product = byId.get(line.productId)
      if (!product) missing.push(line.productId)
      else items.push({ productId: product.id, name: product.name, quantity: line.quantity, unitPriceCents: product.price_cents })
    }
    if (missing.length > 0) {
      return { ok: false, code: 'unknown_product', message: `unknown product: ${[...new Set(missing)].join(', ')}` }
    }

    const last = await trx
      .selectFrom('orders')
      .select((eb) => eb.fn.max('number').as('max'))
      .executeTakeFirst()
    const number = last?.max != null ? Number(last.max) + 1 : FIRST_ORDER_NUMBER
    const at = now.toISOString()
    const trackingToken = newTrackingToken()
    const note = body.note?.trim() ? body.note : null
    const row: Selectable<OrdersTable> = {
      id: newId('ord'),
      number,
      status: 'placed',
      version: 1,
      items_json: JSON.stringify(items),
      total_cents: items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0),
      customer_name: body.customer.name,
      customer_email: body.customer.email,
      customer_address: body.customer.address ?? null,
      customer_phone: body.customer.phone ?? null,
      note,
      cancel_reason: null,
      history_json: JSON.stringify([{ status: 'placed', version: 1, at }] satisfies StatusHistoryEntry[]),
      token_hash: hashToken(trackingToken),
      created_at: at,
      updated_at: at,
      delivered_at: null,
    }
    await trx.insertInto('orders').values(row).execute()
    const { seq } = await trx
      .insertInto('change_log')
      .values({ order_id: row.id, version: 1, at })
      .returning('seq')
      .executeTakeFirstOrThrow()
    return { ok: true, change: { seq: Number(seq), order: rowToOrder(row) }, trackingToken }
  }
}

export async function getOrder(db: Db, id: string): Promise<Order | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? rowToOrder(row) : undefined
}

/** The order only when the token is its tracking token; otherwise undefined, whatever the reason. */
export async function getOrderWithToken(db: Db, id: string, token: string): Promise<Order | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  return row && tokenMatches(token, row.token_hash) ? rowToOrder(row) : undefined
}

export type StatusChangeResult =
  | { kind: 'updated'; change: OrderChange }
  | { kind: 'not_found' }
  | { kind: 'version_conflict'; current: Order }
  | { kind: 'illegal_transition'; current: Order }
  | { kind: 'idempotency_mismatch' }

export interface StatusChangeRequest {
  orderId: string
  status: OrderStatus
  /** The version the caller last saw: optimistic concurrency, so two admins never overwrite blindly. */
  version: number
  /** Only with `cancelled`: why, for the customer. */
  reason?: string | undefined
  idempotencyKey?: string | undefined
  /**
   * Whose key it is (the admin's user id; a customer's would be their tracking token or address):
   * keys are stored as `<scope>:<key>`, so another caller's same key is independent of this one
   * and reveals nothing about it.
   */
  idempotencyScope?: string | undefined
}

/**
 * Version check, transition check, bump, history, change log and idempotency record in one
 * transaction: a retried request with the same key returns the stored first result (`replayed`)
 * and never applies twice, even if the retry races the original.
 */
export async function changeStatus(
  { db, dialect }: OpenDatabase,
  request: StatusChangeRequest,
  now = new Date(),
): Promise<{ result: StatusChangeResult; replayed: boolean }> {
  // The reason is part of the request: the same key with another reason is another request.
  const fingerprint = `${request.orderId}:${request.status}:${request.version}${request.reason === undefined ? '' : `:${request.reason}`}`
  return db.transaction().execute(async (trx) => {
    await serializeWrites(trx, dialect)
    const key = request.idempotencyKey === undefined ? undefined : `${request.idempotencyScope ?? ''}:${request.idempotencyKey}`
    if (key !== undefined) {
      const stored = await trx.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst()
      if (stored) {
        if (stored.fingerprint !== fingerprint) return { result: { kind: 'idempotency_mismatch' as const }, replayed: false }
        return { result: JSON.parse(stored.result_json) as StatusChangeResult, replayed: true }
      }
    }

    const result = await applyStatusChange(trx, request, now)

    if (key !== undefined) {
      const at = now.toISOString()
      await trx
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString())
        .execute()
      await trx
        .insertInto('idempotency_keys')
        .values({ key, fingerprint, result_json: JSON.stringify(result), created_at: at })
        .execute()
    }
    return { result, replayed: false }
  })
}

async function applyStatusChange(trx: Db, request: StatusChangeRequest, now: Date): Promise<StatusChangeResult> {
  const row = await trx.selectFrom('orders').selectAll().where('id', '=', request.orderId).executeTakeFirst()
  if (!row) return { kind: 'not_found' }
  const current = rowToOrder(row)
  if (request.version !== current.version) return { kind: 'version_conflict', current }
  if (!canTransition(current.status, request.status)) return { kind: 'illegal_transition', current }

  const at = now.toISOString()
  const version = current.version + 1
  const history = [...current.history, { status: request.status, version, at }]
  const updated = await trx
    .updateTable('orders')
    .set({
      status: request.status,
      version,
      history_json: JSON.stringify(history),
      updated_at: at,
      delivered_at: request.status === 'delivered' ? at : row.delivered_at,
      cancel_reason: request.status === 'cancelled' ? (request.reason ?? null) : row.cancel_reason,
    })
    // Redundant under serialized writers, but the guard keeps "one wins, the other 409" true even
    // for a writer that skipped serializeWrites (a manual fix-up, a future code path).
    .where('id', '=', row.id)
    .where('version', '=', current.version)
    .executeTakeFirst()
  if (Number(updated.numUpdatedRows) !== 1) {
    const fresh = await getOrder(trx, row.id)
    return fresh ? { kind: 'version_conflict', current: fresh } : { kind: 'not_found' }
  }
  const { seq } = await trx.insertInto('change_log').values({ order_id: row.id, version, at }).returning('seq').executeTakeFirstOrThrow()
  const order: Order = { ...current, status: request.status, version, history, updatedAt: at }
  if (request.status === 'cancelled' && request.reason !== undefined) order.cancelReason = request.reason
  return { kind: 'updated', change: { seq: Number(seq), order } }
}

export interface OrderPage {
  orders: Order[]
  nextCursor: string | null
}

/**
 * Newest first by order number. The cursor is the last number served, so pages stay stable while
 * new orders arrive at the top (offset pagination would shift and repeat rows).
 */
export async function listOrders(
  db: Db,
  query: { status?: OrderStatus | undefined; cursor?: string | undefined; limit: number; q?: string | undefined },
): Promise<OrderPage | { invalidCursor: true }> {
  let before: number | undefined
  if (query.cursor !== undefined) {
    if (!/^\d{1,15}$/.test(query.cursor)) return { invalidCursor: true }
    before = Number(query.cursor)
  }
  let q = db
    .selectFrom('orders')
    .selectAll()
    .orderBy('number', 'desc')
    .limit(query.limit + 1)
  if (query.status) q = q.where('status', '=', query.status)
  if (before !== undefined) q = q.where('number', '<', before)
  const search = query.q?.trim()
  if (search) q = q.where(searchFilter(search))
  const rows = await q.execute()
  const page = rows.slice(0, query.limit).map(rowToOrder)
  const last = page[page.length - 1]
  return { orders: page, nextCursor: rows.length > query.limit && last ? String(last.number) : null }
}

/**
 * Board search: a case-insensitive substring of the customer's name or email, or the exact order
 * number ("1042" or "#1042"). `lower(col) like lower(?) escape '\'` runs the same on SQLite and
 * PostgreSQL; the user's `%`, `_` and `\` are escaped so they match literally.
 */
function searchFilter(search: string): Expression<SqlBool> {
  const pattern = `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
  const like = (column: 'customer_name' | 'customer_email') => sql<SqlBool>`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`
  const digits = /^#?(\d{1,15})$/.exec(search)
  const eb = expressionBuilder<Database, 'orders'>()
  return eb.or([like('customer_name'), like('customer_email'), ...(digits ? [eb('number', '=', Number(digits[1]))] : [])])
}

export interface ChangesPage {
  changes: OrderChange[]
  /** The last seq examined (or `after` when nothing is new): pass it back as the next `after`. */
  cursor: number
  hasMore: boolean
}

/**
 * Log entries after `after`, each carrying the order as it is now. Within a page an order appears
 * once, at its latest seq: clients merge by version, so older snapshots would be dropped anyway.
 */
export async function listChanges(db: Db, after: number, limit: number): Promise<ChangesPage> {
  const rows = await db
    .selectFrom('change_log')
    .innerJoin('orders', 'orders.id', 'change_log.order_id')
    .selectAll('orders')
    .select('change_log.seq as seq')
    .where('change_log.seq', '>', after)
    .orderBy('change_log.seq', 'asc')
    .limit(limit + 1)
    .execute()
  const page = rows.slice(0, limit)
  const latestSeq = new Map<string, number>()
  for (const row of page) latestSeq.set(row.id, Number(row.seq))
  const changes = page
    .filter((row) => latestSeq.get(row.id) === Number(row.seq))
    .map(({ seq, ...order }) => ({ seq: Number(seq), order: rowToOrder(order) }))
  const last = page[page.length - 1]
  return { changes, cursor: last ? Number(last.seq) : after, hasMore: rows.length > limit }
}
