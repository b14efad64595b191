/**
 * A Web Push service for the tests: a plain HTTP server on loopback that records what the
 * Orderline server posts, answers with whatever status a test scripts, and can decrypt the
 * payload as a browser would (RFC 8291, aes128gcm: ECDH P-256, HKDF-SHA-256, AES-128-GCM) and
 * verify the VAPID Authorization header (RFC 8292: an ES256 JWT and the `k` public key).
 */
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto'
import type { ECDH } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { importJWK, jwtVerify } from 'jose'

interface ReceivedPush {
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
  at: number
}

export interface PushReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string
  received: ReceivedPush[]
  /** The status the next requests get (after the scripted ones); 201 by default. */
  status: number
  /** Statuses for the next requests, first in first out; then `status`. */
  script: number[]
  /** Milliseconds to wait before answering. */
  delayMs: number
  /** Resolves when `count` requests (in total) have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>
  close(): Promise<void>
}

export async function startPushReceiver(): Promise<PushReceiver> {
  const waiters: { count: number; resolve: () => void }[] = []
  const receiver = {
    url: '',
    received: [] as ReceivedPush[],
    status: 201,
    script: [] as number[],
    delayMs: 0,
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      receiver.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() })
      for (const waiter of waiters.filter((w) => receiver.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      const status = receiver.script.shift() ?? receiver.status
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain' })
        res.end(status < 300 ? '' : 'push service says no')
      }, receiver.delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(receiver, {
    waitFor(count: number, timeoutMs = 5000): Promise<ReceivedPush[]> {
      if (receiver.received.length >= count) return Promise.resolve(receiver.received)
      return new Promise<ReceivedPush[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`push receiver: ${receiver.received.length} of ${count} requests`)), timeoutMs)
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve(receiver.received)
          },
        })
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}

/** A browser's side of a subscription: its ECDH key pair and auth secret. */
export interface BrowserKeys {
  ecdh: ECDH
  auth: Buffer
  /** What `PushSubscription.toJSON().keys` holds. */
  json: { p256dh: string; auth: string }
}

export function browserKeys(): BrowserKeys {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  const auth = randomBytes(16)
  return { ecdh, auth, json: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } }
}

/**
 * RFC 8291 decryption of an aes128gcm body (RFC 8188 framing: salt(16) | rs(4) | idlen(1) |
 * keyid = the sender's ephemeral public key | one record). Returns the plaintext.
 */
export function decryptPush(body: Buffer, keys: BrowserKeys): Buffer {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body.readUInt8(20)
  const senderPublic = body.subarray(21, 21 + idLength)
  const record = body.subarray(21 + idLength)
  if (idLength !== 65) throw new Error(`keyid is ${idLength} bytes, not a P-256 point`)
  if (record.length > recordSize) throw new Error('more than one record')
  const sharedSecret = keys.ecdh.computeSecret(senderPublic)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0', 'latin1'), keys.ecdh.getPublicKey(), senderPublic])
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, keys.auth, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0', 'latin1'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0', 'latin1'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(record.subarray(record.length - 16))
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()])
  // Padding: the data, a 0x02 delimiter (last record), then zeros.
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end--
  if (padded[end] !== 2) throw new Error('missing the last-record delimiter')
  return padded.subarray(0, end)
}

/**
 * Checks `Authorization: vapid t=<jwt>, k=<key>`: `k` is the server's public key, and the JWT is
 * ES256-signed by it for this audience, expiring within 24 h. Returns the JWT claims.
 */
export async function verifyVapid(
  header: string | undefined,
  publicKey: string,
  audience: string,
): Promise<{ aud: string; sub: string; exp: number }> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '')
  if (!match) throw new Error(`not a vapid Authorization header: ${header}`)
  const [, jwt, k] = match
  if (k !== publicKey) throw new Error('k is not the server public key')
  const point = Buffer.from(publicKey, 'base64url')
  const key = await importJWK(
    { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') },
    'ES256',
  )
  const { payload, protectedHeader } = await jwtVerify(jwt!, key, { algorithms: ['ES256'], audience })
  if (protectedHeader.alg !== 'ES256') throw new Error('not ES256')
  const exp = Number(payload.exp)
  if (!(exp * 1000 > Date.now() && exp * 1000 <= Date.now() + 24 * 3600_000)) throw new Error(`exp out of range: ${exp}`)
  return { aud: String(payload.aud), sub: String(payload.sub), exp }
}
