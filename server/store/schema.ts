/**
 * Table shapes as Kysely sees them. Kept dialect-neutral (text timestamps, JSON as text) so the
 * PostgreSQL dialect can reuse the same repository code when it arrives.
 */
import type { Generated } from 'kysely'

interface ProductsTable {
  id: string
  name: string
  description: string
  price_cents: number
  sort_order: number
}

interface UsersTable {
  id: string
  email: string
  /** `scrypt$N$r$p$salt$hash`, see passwords.ts */
  password_hash: string
  role: 'admin'
  created_at: string
  /**
   * Bumped by "sign out everywhere" and by a password change: a token carrying an older
   * generation is refused (server/http/auth.ts).
   */
  token_generation: Generated<number>
  /** Set when the account may no longer sign in (an admin a production start did not name). */
  disabled_at: string | null
}

export interface OrdersTable {
  id: string
  number: number
  status: string
  version: number
  /** JSON of OrderItem[] */
  items_json: string
  total_cents: number
  customer_name: string
  customer_email: string
  /** Optional delivery details (migration 0005): shown to admins and the tracking-token holder only. */
  customer_address: string | null
  customer_phone: string | null
  note: string | null
  /** Set with a cancellation that gave a reason (migration 0006). */
  cancel_reason: string | null
  /** JSON of StatusHistoryEntry[] */
  history_json: string
  /** sha256 of the tracking token: a database leak does not leak capabilities. */
  token_hash: string
  created_at: string
  updated_at: string
  /** Denormalised for stats: set when the order reaches `delivered`. */
  delivered_at: string | null
}

interface ChangeLogTable {
  seq: Generated<number>
  order_id: string
  version: number
  at: string
}

interface IdempotencyKeysTable {
  key: string
  /** What the first request asked for; a reused key with a different request is refused. */
  fingerprint: string
  /** JSON of the stored StatusChangeResult */
  result_json: string
  created_at: string
}

interface RevokedTokensTable {
  /** The admin JWT's id; the token itself is never stored. */
  jti: string
  /** ISO time the token expires: after it the row is useless and pruned. */
  expires_at: string
}

interface LoginBucketsTable {
  /** Lower-cased email: the account being guessed at, whether or not it exists. */
  account: string
  tokens: number
  /** Epoch milliseconds of the last take. */
  updated_at: number
  /** 1 when the last take got a token: how one upsert tells the caller its answer. */
  granted: number
}

interface PlacementKeysTable {
  /** Who placed: `anonymous`, or `admin:<user id>` when a valid admin token came along. */
  scope: string
  /** sha256 of the Idempotency-Key. */
  key_hash: string
  /** sha256 of the normalised body: the same key with another body is refused. */
  fingerprint: string
  order_id: string
  /** JSON of the Order as first answered. */
  order_json: string
  /** `iv.ciphertext.tag` (base64url): the tracking token, sealed with the idempotency key. */
  token_box: string
  created_at: string
}

export interface PushSubscriptionsTable {
  id: string
  order_id: string
  endpoint: string
  /** base64url, as the browser gave them */
  p256dh: string
  auth: string
  created_at: string
}

/** Process-wide secrets every node must share (the VAPID key pair), created once on first start. */
interface ServerKeysTable {
  name: string
  value: string
  created_at: string
}

export interface Database {
  products: ProductsTable
  users: UsersTable
  orders: OrdersTable
  change_log: ChangeLogTable
  idempotency_keys: IdempotencyKeysTable
  revoked_tokens: RevokedTokensTable
  login_buckets: LoginBucketsTable
  placement_keys: PlacementKeysTable
  push_subscriptions: PushSubscriptionsTable
  server_keys: ServerKeysTable
}
