/**
 * Password hashing with node:crypto scrypt: no native dependency, memory-hard, and the parameters
 * travel with the hash (`scrypt$N$r$p$salt$key`), so they can be raised later without
 * invalidating old hashes: a hash stored with other parameters still verifies, and the next
 * successful sign-in rewrites it with the current ones (`needsRehash`, server/store/users.ts).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { ScryptOptions } from 'node:crypto'

export interface ScryptParams {
  N: number
  r: number
  p: number
}

/**
 * OWASP's scrypt guidance (N = 2^17, r = 8, p = 1): 128 MiB and a few hundred ms per hash, paid
 * only at sign-in. Per-IP and per-account sign-in limits bound how many run at once.
 */
export const PASSWORD_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }
/** The parameters hashes were stored with before; still verified, rehashed on the next sign-in. */
export const LEGACY_PASSWORD_PARAMS: ScryptParams = { N: 16384, r: 8, p: 1 }
const KEY_LENGTH = 32
/** Refuse absurd stored parameters (a corrupted row) instead of allocating gigabytes. */
const MAX_N = 2 ** 20

/** scrypt needs 128·N·r bytes; Node refuses anything above `maxmem` (32 MiB by default). */
const maxmemFor = ({ N, r, p }: ScryptParams) => 128 * N * r + 128 * r * p + 1024 * 1024

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: maxmemFor(params) }
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

export async function hashPassword(password: string, params: ScryptParams = PASSWORD_PARAMS): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, params)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, saltText, keyText] = stored.split('$')
  const params = { N: Number(n), r: Number(r), p: Number(p) }
  if (scheme !== 'scrypt' || !saltText || !keyText) return undefined
  if (!Object.values(params).every((v) => Number.isInteger(v) && v > 0) || params.N > MAX_N || params.r * params.p > 64) return undefined
  return { params, salt: Buffer.from(saltText, 'base64url'), key: Buffer.from(keyText, 'base64url') }
}

/** Constant-time compare; a malformed stored hash simply fails. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const key = await scryptAsync(password, parsed.salt, parsed.params)
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

/** True when `stored` was made with other parameters than `params`: rehash it after a good sign-in. */
export function needsRehash(stored: string, params: ScryptParams = PASSWORD_PARAMS): boolean {
  const parsed = parseHash(stored)
  return !parsed || parsed.params.N !== params.N || parsed.params.r !== params.r || parsed.params.p !== params.p
}

const dummyHashes = new Map<string, Promise<string>>()

/** A hash of a random password, checked when the email is unknown so timing does not reveal it. */
export function dummyHash(params: ScryptParams = PASSWORD_PARAMS): Promise<string> {
  const key = `${params.N}:${params.r}:${params.p}`
  let hash = dummyHashes.get(key)
  if (!hash) {
    hash = hashPassword(randomBytes(16).toString('hex'), params)
    dummyHashes.set(key, hash)
  }
  return hash
}
