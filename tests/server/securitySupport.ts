/**
 * Credentials for the security tests: real ones from the server, and the forged, expired and
 * revoked ones an attacker would try. The JWT secret is the one tests/server/helpers.ts starts
 * servers with, so an "expired" token is otherwise perfectly valid.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import type { RunningServer } from '../../server/app'
import { ADMIN_EMAIL, ADMIN_PASSWORD, api } from './helpers'

const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret!'

export async function loginAs(server: RunningServer): Promise<{ token: string; userId: string }> {
  const res = await api<{ token: string; user: { id: string } }>(server, '/api/auth/login', {
    body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`)
  return { token: res.body.token, userId: res.body.user.id }
}

/** A correctly signed admin token whose `exp` lies `secondsFromNow` away (negative: already expired). */
export function signAdminToken(userId: string, secondsFromNow: number, secret = TEST_JWT_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ role: 'admin', email: ADMIN_EMAIL })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('orderline')
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuedAt(now - 3600)
    .setExpirationTime(now + secondsFromNow)
    .sign(new TextEncoder().encode(secret))
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** The payload edited (another subject, a later expiry), the original signature kept. */
export function tamper(token: string): string {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>
  return [header, b64({ ...claims, sub: 'usr_attacker', exp: Number(claims.exp) + 86_400 }), signature].join('.')
}

/** The classic `alg: none` forgery: admin claims, no signature at all. */
export function unsignedToken(userId: string): string {
  const now = Math.floor(Date.now() / 1000)
  return [
    b64({ alg: 'none', typ: 'JWT' }),
    b64({ iss: 'orderline', sub: userId, role: 'admin', email: ADMIN_EMAIL, jti: randomUUID(), iat: now, exp: now + 3600 }),
    '',
  ].join('.')
}

/** A real token that was logged out. */
export async function revokedToken(server: RunningServer): Promise<string> {
  const { token } = await loginAs(server)
  const res = await api(server, '/api/auth/logout', { method: 'POST', token })
  if (res.status !== 204) throw new Error(`logout failed: ${res.status}`)
  return token
}

/**
 * Everything a rejected request must leave untouched: every order row, the whole change log,
 * push subscriptions and checkout keys.
 */
export async function snapshot(server: RunningServer): Promise<string> {
  const orders = await server.store.db.selectFrom('orders').selectAll().orderBy('id').execute()
  const changes = await server.store.db.selectFrom('change_log').selectAll().orderBy('seq').execute()
  const subscriptions = await server.store.db.selectFrom('push_subscriptions').selectAll().orderBy('id').execute()
  const placements = await server.store.db.selectFrom('placement_keys').selectAll().orderBy('key_hash').execute()
  return JSON.stringify({ orders, changes, subscriptions, placements })
}
