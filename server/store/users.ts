import type { Kysely } from 'kysely'
import type { User } from '../../src/protocol/order'
import { dummyHash, hashPassword, needsRehash, PASSWORD_PARAMS, verifyPassword } from './passwords'
import type { ScryptParams } from './passwords'
import type { Database } from './schema'
import { newId } from './tokens'

type Db = Kysely<Database>

/** Emails compare case-insensitively; stored lower-case so the unique index agrees. */
const normalise = (email: string) => email.trim().toLowerCase()

/** A signed-in admin and the token generation its tokens must carry (server/http/auth.ts). */
export interface AuthenticatedUser {
  user: User
  tokenGeneration: number
}

/**
 * Checks credentials. An unknown email still costs one scrypt, so response time does not reveal
 * which admin emails exist; a disabled account is refused after the same work. A hash stored with
 * older scrypt parameters is rewritten with the current ones on a successful sign-in (the only
 * moment the password is known); that is not a password change, so tokens stay valid.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
  params: ScryptParams = PASSWORD_PARAMS,
): Promise<AuthenticatedUser | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', normalise(email)).executeTakeFirst()
  if (!row) {
    await verifyPassword(password, await dummyHash(params))
    return undefined
  }
  if (!(await verifyPassword(password, row.password_hash)) || row.disabled_at !== null) return undefined
  if (needsRehash(row.password_hash, params)) {
    const rehashed = await hashPassword(password, params)
    // Only if nobody changed the hash meanwhile (a restart with a new ADMIN_PASSWORD).
    await db
      .updateTable('users')
      .set({ password_hash: rehashed })
      .where('id', '=', row.id)
      .where('password_hash', '=', row.password_hash)
      .execute()
  }
  return { user: { id: row.id, email: row.email, role: row.role }, tokenGeneration: row.token_generation }
}

export interface EnsureAdminResult {
  /** Users whose tokens this start ended (password changed, or disabled): their sockets must close. */
  endedSessions: string[]
  /** Other admins disabled by `disableOthers`. */
  disabledAdmins: number
}

export interface EnsureAdminOptions {
  /** Disable every other admin: a production start trusts only the configured one. */
  disableOthers: boolean
  params?: ScryptParams
}

/**
 * Makes the configured admin exist, enabled, with the configured password. The environment is the
 * source of truth: changing ADMIN_PASSWORD and restarting takes effect without touching the
 * database, and ends every session of the old password (the token generation moves on). With
 * `disableOthers`, every other admin (e.g. the demo admin of a database first started in
 * development) is disabled and its tokens die with it; the count is returned for the start log.
 */
export async function ensureAdmin(
  db: Db,
  email: string,
  password: string,
  options: EnsureAdminOptions = { disableOthers: false },
): Promise<EnsureAdminResult> {
  const normalised = normalise(email)
  const params = options.params ?? PASSWORD_PARAMS
  const row = await db.selectFrom('users').selectAll().where('email', '=', normalised).executeTakeFirst()
  const endedSessions: string[] = []
  if (!row) {
    await db
      .insertInto('users')
      .values({
        id: newId('usr'),
        email: normalised,
        password_hash: await hashPassword(password, params),
        role: 'admin',
        created_at: new Date().toISOString(),
      })
      .execute()
  } else if (!(await verifyPassword(password, row.password_hash))) {
    const hashed = await hashPassword(password, params)
    await db
      .updateTable('users')
      .set((eb) => ({ password_hash: hashed, token_generation: eb('token_generation', '+', 1), disabled_at: null }))
      .where('id', '=', row.id)
      .execute()
    endedSessions.push(row.id)
  } else if (row.disabled_at !== null) {
    await db.updateTable('users').set({ disabled_at: null }).where('id', '=', row.id).execute()
  }
  if (!options.disableOthers) return { endedSessions, disabledAdmins: 0 }
  const others = await db.selectFrom('users').select('id').where('email', '!=', normalised).where('disabled_at', 'is', null).execute()
  if (others.length > 0) {
    const ids = others.map((other) => other.id)
    await db
      .updateTable('users')
      .set((eb) => ({ disabled_at: new Date().toISOString(), token_generation: eb('token_generation', '+', 1) }))
      .where('id', 'in', ids)
      .execute()
    endedSessions.push(...ids)
  }
  return { endedSessions, disabledAdmins: others.length }
}

/** Ends every token of this user issued so far ("sign out everywhere"). */
export async function bumpTokenGeneration(db: Db, userId: string): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ token_generation: eb('token_generation', '+', 1) }))
    .where('id', '=', userId)
    .execute()
}

/** What `auth.verify` needs about a token beyond its signature, in one round trip. */
export interface AdminTokenState {
  /** The token id was logged out. */
  revoked: boolean
  /** The user's current token generation; null when the user no longer exists or is disabled. */
  generation: number | null
}

export async function adminTokenState(db: Db, userId: string, jti: string): Promise<AdminTokenState> {
  const row = await db
    .selectFrom('users')
    .select(['token_generation', 'disabled_at'])
    .select((eb) => eb.exists(eb.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti)).as('revoked'))
    .where('id', '=', userId)
    .executeTakeFirst()
  if (!row) return { revoked: false, generation: null }
  return { revoked: Boolean(row.revoked), generation: row.disabled_at === null ? Number(row.token_generation) : null }
}
