/**
 * The per-account sign-in budget as a token bucket in the shared database, so every node draws
 * on one budget. Same arithmetic as the in-memory limiter (server/http/rateLimit.ts: continuous
 * refill, `limit` per `windowMs`), done in one upsert so concurrent guesses on several nodes
 * cannot all see a token that only one of them may take (PostgreSQL locks the row for the
 * update; SQLite has one writer).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { TakeResult } from '../http/rateLimit'
import type { SqlDialect } from './db'
import type { Database } from './schema'

export interface BucketLimit {
  limit: number
  windowMs: number
}

export async function takeLoginToken(
  db: Kysely<Database>,
  dialect: SqlDialect,
  account: string,
  { limit, windowMs }: BucketLimit,
  now = Date.now(),
): Promise<TakeResult> {
  const rate = limit / windowMs
  const least = dialect === 'postgres' ? sql.raw('least') : sql.raw('min')
  // Tokens after refilling the stored bucket up to now; the row being updated is `login_buckets`.
  const refilled = sql<number>`${least}(${limit}, login_buckets.tokens + (${now} - login_buckets.updated_at) * ${rate})`
  const row = await db
    .insertInto('login_buckets')
    .values({ account, tokens: limit - 1, updated_at: now, granted: 1 })
    .onConflict((oc) =>
      oc.column('account').doUpdateSet({
        tokens: sql<number>`case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end`,
        granted: sql<number>`case when ${refilled} >= 1 then 1 else 0 end`,
        updated_at: now,
      }),
    )
    .returning(['tokens', 'granted'])
    .executeTakeFirstOrThrow()
  // Accounts idle for a whole window are full again: their rows say nothing, so they go.
  await db
    .deleteFrom('login_buckets')
    .where('updated_at', '<', now - windowMs)
    .execute()
  const tokens = Number(row.tokens)
  if (Number(row.granted) === 1) return { ok: true, remaining: Math.floor(tokens) }
  return { ok: false, retryAfterMs: Math.ceil((1 - tokens) / rate) }
}

/** A successful sign-in: the account's budget is for failed guesses, so it starts afresh. */
export async function resetLoginTokens(db: Kysely<Database>, account: string): Promise<void> {
  await db.deleteFrom('login_buckets').where('account', '=', account).execute()
}
