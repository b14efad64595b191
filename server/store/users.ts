import type { Kysely } from 'kysely'
import type { User } from '../../src/protocol/order'
import { dummyHash, hashPassword, verifyPassword } from './passwords'
import type { Database } from './schema'
import { newId } from './tokens'

type Db = Kysely<Database>

/** Emails compare case-insensitively; stored lower-case so the unique index agrees. */
const normalise = (email: string) => email.trim().toLowerCase()

/**
 * Checks credentials. An unknown email still costs one scrypt, so response time does not reveal
 * which admin emails exist.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', normalise(email)).executeTakeFirst()
  if (!row) {
    await verifyPassword(password, await dummyHash())
    return undefined
  }
  return (await verifyPassword(password, row.password_hash)) ? { id: row.id, email: row.email, role: row.role } : undefined
}

/**
 * Makes the configured admin exist with the configured password. The environment is the source of
 * truth: changing ADMIN_PASSWORD and restarting takes effect without touching the database.
 */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<void> {
  const normalised = normalise(email)
  const row = await db.selectFrom('users').selectAll().where('email', '=', normalised).executeTakeFirst()
  if (!row) {
    await db
      .insertInto('users')
      .values({ id: newId('usr'), email: normalised, password_hash: await hashPassword(password), role: 'admin', created_at: new Date().toISOString() })
      .execute()
  } else if (!(await verifyPassword(password, row.password_hash))) {
    await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', row.id).execute()
  }
}
