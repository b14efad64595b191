/**
 * Revoked admin token ids. Kept in the shared database (not node memory) so a logout through one
 * node is refused by every node, and still refused after a restart. Rows expire with the token.
 */
import type { Kysely } from 'kysely'
import type { Database } from './schema'

export async function revokeToken(db: Kysely<Database>, jti: string, expiresAt: Date, now = new Date()): Promise<void> {
  // Logging out twice (two tabs at once, a retried request) is the same revocation.
  await db
    .insertInto('revoked_tokens')
    .values({ jti, expires_at: expiresAt.toISOString() })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute()
  // Pruning on write keeps the table as small as the number of live logged-out tokens.
  await db.deleteFrom('revoked_tokens').where('expires_at', '<=', now.toISOString()).execute()
}

export async function isTokenRevoked(db: Kysely<Database>, jti: string): Promise<boolean> {
  const row = await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()
  return row !== undefined
}
