/**
 * Part 7 — what the shared revocation list costs. Every admin request and admin socket handshake
 * now asks the database whether the token was logged out (so a logout holds on every node). This
 * times `auth.verify` of one valid admin token with the old in-memory-only check (a revocation
 * store that never does I/O) against the real stores, interleaved in one run, and sets it next
 * to a whole admin request (a conditional GET answered 304, the cheapest one) on a real server.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuth, type RevocationStore } from '../server/http/auth'
import { openStore, type Store } from '../server/store/index'
import pg from 'pg'
import type { TestServer } from '../harness/server'
import { placeOrder } from '../harness/api'
import type { Section } from './lib/report'
import { percentile, ratio, table } from './lib/stats'

const ROUNDS = 5
const PER_ROUND = 2_000
const HTTP_REQUESTS = 1_000
const SECRET = 'bench-secret-bench-secret-bench-secret!'

const PG_ADMIN_URL = process.env.ORDERLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A scratch PostgreSQL database for the run, or null when none is reachable (the row is left out). */
async function scratchPg(): Promise<{ url: string; release: () => Promise<void> } | null> {
  const name = `orderline_bench_auth_${process.pid}`
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 })
    await client.connect()
    try {
      await client.query(query)
    } finally {
      await client.end()
    }
  }
  try {
    await admin(`drop database if exists "${name}" with (force)`)
    await admin(`create database "${name}"`)
  } catch {
    return null
  }
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), release: () => admin(`drop database if exists "${name}" with (force)`) }
}

const inMemoryOnly: RevocationStore = {
  revokeToken: async () => {},
  isTokenRevoked: async () => false,
  adminTokenState: async () => ({ revoked: false, generation: 0 }),
}

interface Variant {
  name: string
  revocations: RevocationStore
  samples: number[]
  /** The store's own admin: verify also checks that the token's user exists and is enabled. */
  userId: string
}

const adminId = async (store: Store) => (await store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id

const us = (value: number) => `${value.toFixed(1)} µs`

async function timeVerify(variant: Variant): Promise<void> {
  const auth = createAuth(SECRET, variant.revocations)
  const token = await auth.issue({ id: variant.userId, email: 'bench@orderline.test', role: 'admin' })
  const started = performance.now()
  for (let i = 0; i < PER_ROUND; i++) if (!(await auth.verify(token))) throw new Error(`${variant.name}: token refused`)
  variant.samples.push(((performance.now() - started) * 1000) / PER_ROUND)
}

async function timeAdminRequest(server: TestServer): Promise<number[]> {
  const { order } = await placeOrder(server)
  const token = await server.adminToken()
  const url = `${server.url}/api/orders/${order.id}`
  const first = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const etag = first.headers.get('etag') ?? ''
  await first.arrayBuffer()
  const samples: number[] = []
  for (let i = 0; i < HTTP_REQUESTS; i++) {
    const started = performance.now()
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } })
    await response.arrayBuffer()
    if (response.status !== 304) throw new Error(`expected 304, got ${response.status}`)
    samples.push((performance.now() - started) * 1000)
  }
  return samples
}

export async function run(server: TestServer): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'orderline-bench-auth-'))
  const storeOptions = { adminEmail: 'bench@orderline.test', adminPassword: 'bench-password-123', seedDemoData: false }
  const stores: Store[] = []
  const releases: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })]
  try {
    const sqlite = await openStore({ ...storeOptions, databaseUrl: join(dir, 'bench.sqlite') })
    stores.push(sqlite)
    const variants: Variant[] = [
      { name: 'in memory only (before)', revocations: inMemoryOnly, samples: [], userId: 'usr_bench' },
      { name: 'SQLite lookup', revocations: sqlite, samples: [], userId: await adminId(sqlite) },
    ]
    const database = await scratchPg()
    if (database) {
      releases.push(database.release)
      const postgres = await openStore({ ...storeOptions, databaseUrl: database.url })
      stores.push(postgres)
      variants.push({ name: 'PostgreSQL lookup', revocations: postgres, samples: [], userId: await adminId(postgres) })
    }
    // Warm-up, then rounds interleaved so drift in the machine's load hits every variant alike.
    for (const variant of variants) await timeVerify({ ...variant, samples: [] })
    for (let round = 0; round < ROUNDS; round++) for (const variant of variants) await timeVerify(variant)

    const request = await timeAdminRequest(server)
    const base = percentile(variants[0]!.samples, 50)
    const requestP50 = percentile(request, 50)
    const rows = variants.map((variant) => {
      const p50 = percentile(variant.samples, 50)
      return [variant.name, us(p50), ratio(p50, base), `+${us(p50 - base)}`, `${(((p50 - base) / requestP50) * 100).toFixed(1)} %`]
    })
    for (const row of rows) console.info(`[figure] verify ${row.join(' · ')}`)
    const body = `Median of ${ROUNDS} interleaved rounds of ${PER_ROUND} \`auth.verify\` calls of one valid admin token
(HS256 signature check plus the revocation check, which since the security review also reads the
token's user row, enabled state and token generation in the same query). For scale, a whole admin request over loopback
(\`GET /api/orders/:id\` with \`If-None-Match\`, answered 304, SQLite server, ${HTTP_REQUESTS} in a row):
p50 ${us(requestP50)}, p99 ${us(percentile(request, 99))}.

${table(['revocation check', 'verify p50', 'vs before', 'added per call', 'of one admin request'], rows)}

What it means: asking the database whether a token was logged out adds the figure in "added per
call" to each admin request and admin socket handshake; customer requests (tracking tokens) do
not verify a JWT and pay nothing. That is the price of a logout that holds on every node and
across restarts (docs/security.md).`
    return { id: 'auth', title: 'Shared revocation: cost of the database lookup per admin request', body }
  } finally {
    for (const store of stores) await store.close().catch(() => {})
    for (const release of releases) await release().catch(() => {})
  }
}
