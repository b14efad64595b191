/**
 * Checkout that never orders twice: `POST /api/orders` with an `Idempotency-Key`. The key is
 * checked and recorded in the same transaction that places the order, after `serializeWrites`,
 * so concurrent retries with one key (on one node or several) see either nothing or the
 * committed record, never a half: exactly one order, every other attempt a replay.
 *
 * A replay must hand back the tracking token, yet the database never holds a usable token
 * (docs/security.md, "Secrets"). So the token is sealed with a key derived from the
 * Idempotency-Key, and only the key's hash is stored: a leaked table opens nothing, and the
 * caller who retries with the key opens its own token.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import type { Order, OrderChange } from '../../src/protocol/order'
import type { PlaceOrderBody } from '../../src/protocol/requests'
import { serializeWrites } from './db'
import type { OpenDatabase } from './db'
import { insertPlacedOrder } from './orders'

/** How long a checkout key replays; after it the same key places a new order. */
const PLACEMENT_KEY_TTL_MS = 24 * 60 * 60 * 1000

export interface PlacementKey {
  /** Who is placing: `anonymous`, or `admin:<user id>`; keys never match across scopes. */
  scope: string
  key: string
}

export type PlacementResult =
  | { kind: 'placed'; change: OrderChange; trackingToken: string }
  | { kind: 'replayed'; order: Order; trackingToken: string }
  | { kind: 'unknown_product'; message: string }
  | { kind: 'key_reused' }

/** JSON with sorted keys: the same body always fingerprints the same, whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

function sealKey({ scope, key }: PlacementKey): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(key, 'utf8'), Buffer.from(scope, 'utf8'), 'orderline placement token', 32))
}

function seal(token: string, placementKey: PlacementKey): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', sealKey(placementKey), iv)
  const box = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()])
  return [iv, box, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.')
}

function open(sealed: string, placementKey: PlacementKey): string {
  const [iv, box, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'))
  if (!iv || !box || !tag) throw new Error('placement_keys.token_box is malformed')
  const decipher = createDecipheriv('aes-256-gcm', sealKey(placementKey), iv)
  decipher.setAuthTag(tag)
  return Buffer.concat([decipher.update(box), decipher.final()]).toString('utf8')
}

/**
 * Places the order once per (scope, key) within 24 h. The same key with the same (normalised)
 * body replays the first answer; with another body it is refused (`key_reused`).
 */
export async function placeOrderOnce(
  { db, dialect }: OpenDatabase,
  body: PlaceOrderBody,
  placementKey: PlacementKey,
  now = new Date(),
): Promise<PlacementResult> {
  const fingerprint = sha256(canonical(body))
  const keyHash = sha256(placementKey.key)
  const expiredBefore = new Date(now.getTime() - PLACEMENT_KEY_TTL_MS).toISOString()
  return db.transaction().execute(async (trx): Promise<PlacementResult> => {
    await serializeWrites(trx, dialect)
    await trx.deleteFrom('placement_keys').where('created_at', '<', expiredBefore).execute()
    const stored = await trx
      .selectFrom('placement_keys')
      .selectAll()
      .where('scope', '=', placementKey.scope)
      .where('key_hash', '=', keyHash)
      .executeTakeFirst()
    if (stored) {
      if (stored.fingerprint !== fingerprint) return { kind: 'key_reused' }
      return { kind: 'replayed', order: JSON.parse(stored.order_json) as Order, trackingToken: open(stored.token_box, placementKey) }
    }

    const placed = await insertPlacedOrder(trx, body, now)
    if (!placed.ok) return { kind: 'unknown_product', message: placed.message }
    await trx
      .insertInto('placement_keys')
      .values({
        scope: placementKey.scope,
        key_hash: keyHash,
        fingerprint,
        order_id: placed.change.order.id,
        order_json: JSON.stringify(placed.change.order),
        token_box: seal(placed.trackingToken, placementKey),
        created_at: now.toISOString(),
      })
      .execute()
    return { kind: 'placed', change: placed.change, trackingToken: placed.trackingToken }
  })
}
