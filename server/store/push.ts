/**
 * Web Push subscriptions of orders, and the VAPID key pair every node signs with. Subscriptions
 * belong to an order (the tracking token is the only way to add or remove one) and end with it:
 * the sender deletes them after the final push (server/push/sender.ts).
 */
import type { Kysely } from 'kysely'
import { LIMITS } from '../../src/protocol/limits'
import type { PushSubscriptionBody } from '../../src/protocol/requests'
import { serializeWrites } from './db'
import type { OpenDatabase } from './db'
import type { Database, PushSubscriptionsTable } from './schema'
import { newId } from './tokens'

type Db = Kysely<Database>

export type StoredSubscription = PushSubscriptionsTable

export type AddSubscriptionResult = { kind: 'created' | 'updated'; subscription: StoredSubscription } | { kind: 'too_many' }

/**
 * Adds a subscription, or refreshes the keys of one with the same endpoint (a browser that
 * re-subscribes gets new keys but may keep its endpoint). Counting and inserting happen under
 * `serializeWrites`, so concurrent requests cannot push an order past the limit.
 */
export async function addSubscription(
  { db, dialect }: OpenDatabase,
  orderId: string,
  body: Pick<PushSubscriptionBody, 'endpoint' | 'keys'>,
  now = new Date(),
): Promise<AddSubscriptionResult> {
  return db.transaction().execute(async (trx): Promise<AddSubscriptionResult> => {
    await serializeWrites(trx, dialect)
    const existing = await trx
      .selectFrom('push_subscriptions')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('endpoint', '=', body.endpoint)
      .executeTakeFirst()
    if (existing) {
      await trx
        .updateTable('push_subscriptions')
        .set({ p256dh: body.keys.p256dh, auth: body.keys.auth })
        .where('id', '=', existing.id)
        .execute()
      return { kind: 'updated', subscription: { ...existing, p256dh: body.keys.p256dh, auth: body.keys.auth } }
    }
    const count = await trx
      .selectFrom('push_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow()
    if (Number(count.n) >= LIMITS.pushSubscriptionsPerOrder) return { kind: 'too_many' }
    const subscription: StoredSubscription = {
      id: newId('sub'),
      order_id: orderId,
      endpoint: body.endpoint,
      p256dh: body.keys.p256dh,
      auth: body.keys.auth,
      created_at: now.toISOString(),
    }
    await trx.insertInto('push_subscriptions').values(subscription).execute()
    return { kind: 'created', subscription }
  })
}

/** Removes the order's subscription with this endpoint; true when there was one. */
export async function removeSubscription(db: Db, orderId: string, endpoint: string): Promise<boolean> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('order_id', '=', orderId)
    .where('endpoint', '=', endpoint)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export async function listSubscriptions(db: Db, orderId: string): Promise<StoredSubscription[]> {
  return db.selectFrom('push_subscriptions').selectAll().where('order_id', '=', orderId).orderBy('created_at').execute()
}

export async function deleteSubscription(db: Db, id: string): Promise<void> {
  await db.deleteFrom('push_subscriptions').where('id', '=', id).execute()
}

/**
 * Subscriptions whose order finished before `before`: normally the final push removed them; a
 * node that stopped between the change and that push leaves them behind, and they go here.
 */
export async function pruneFinishedSubscriptions(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('order_id', 'in', (eb) =>
      eb.selectFrom('orders').select('id').where('status', 'in', ['delivered', 'cancelled']).where('updated_at', '<', before.toISOString()),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export interface VapidKeyPair {
  publicKey: string
  privateKey: string
}

const VAPID_ROW = 'vapid'

/**
 * The stored VAPID key pair, created by whichever node starts first: `generate` runs, the insert
 * of every node but one is ignored, and all read back the same row.
 */
export async function ensureVapidKeys(db: Db, generate: () => VapidKeyPair, now = new Date()): Promise<VapidKeyPair> {
  const read = async () => {
    const row = await db.selectFrom('server_keys').select('value').where('name', '=', VAPID_ROW).executeTakeFirst()
    return row ? (JSON.parse(row.value) as VapidKeyPair) : undefined
  }
  const stored = await read()
  if (stored) return stored
  await db
    .insertInto('server_keys')
    .values({ name: VAPID_ROW, value: JSON.stringify(generate()), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const created = await read()
  if (!created) throw new Error('server_keys: the VAPID key pair could not be stored')
  return created
}
