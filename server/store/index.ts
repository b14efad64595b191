/**
 * The store: one object the routes and the realtime module share. It hides Kysely behind
 * intention-revealing methods so the routes never build queries (and never see unvalidated input
 * reach SQL: every value here arrives already parsed by the protocol schemas).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { TakeResult } from '../http/rateLimit'
import type { Order, OrderStatus, Product, Stats, User } from '../../src/protocol/order'
import type { PlaceOrderBody } from '../../src/protocol/schemas'
import { openDatabase, withBootstrapLock } from './db'
import type { SqlDialect } from './db'
import { migrateToLatest } from './migrations'
import { resetLoginTokens, takeLoginToken, type BucketLimit } from './loginBuckets'
import * as orders from './orders'
import { isTokenRevoked, revokeToken } from './revocations'
import type { Database } from './schema'
import { seedDemoData } from './seed'
import { computeStats } from './stats'
import { authenticate, ensureAdmin } from './users'

export type { ChangesPage, OrderPage, PlaceOrderResult, StatusChangeRequest, StatusChangeResult } from './orders'

export interface StoreOptions {
  databaseUrl: string
  adminEmail: string
  adminPassword: string
  seedDemoData: boolean
}

export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: SqlDialect
  /** Throws when the database does not answer: readiness. */
  ping(): Promise<void>
  listProducts(): Promise<Product[]>
  authenticate(email: string, password: string): Promise<User | undefined>
  placeOrder(body: PlaceOrderBody): Promise<orders.PlaceOrderResult>
  getOrder(id: string): Promise<Order | undefined>
  getOrderWithToken(id: string, token: string): Promise<Order | undefined>
  listOrders(query: { status?: OrderStatus | undefined; cursor?: string | undefined; limit: number; q?: string | undefined }): ReturnType<typeof orders.listOrders>
  changeStatus(request: orders.StatusChangeRequest): ReturnType<typeof orders.changeStatus>
  listChanges(after: number, limit: number): Promise<orders.ChangesPage>
  stats(): Promise<Stats>
  /** Records a logged-out admin token id until `expiresAt`; idempotent. */
  revokeToken(jti: string, expiresAt: Date): Promise<void>
  isTokenRevoked(jti: string): Promise<boolean>
  /** Takes one sign-in attempt from the account's cluster-wide budget. */
  takeLoginToken(account: string, limit: BucketLimit): Promise<TakeResult>
  resetLoginTokens(account: string): Promise<void>
  close(): Promise<void>
}

/** Opens, migrates, ensures the admin and (on an empty database) seeds demo data. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const opened = openDatabase(options.databaseUrl)
  const { db, dialect } = opened
  try {
    await migrateToLatest(db, dialect)
    // Several nodes may start together on an empty database: one creates the admin and seeds.
    await withBootstrapLock(opened, async () => {
      await ensureAdmin(db, options.adminEmail, options.adminPassword)
      if (options.seedDemoData) await seedDemoData(opened)
    })
  } catch (error) {
    await db.destroy()
    throw error
  }
  return {
    db,
    dialect,
    async ping() {
      await sql`select 1`.execute(db)
    },
    async listProducts() {
      const rows = await db.selectFrom('products').selectAll().orderBy('sort_order').orderBy('id').execute()
      return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, priceCents: r.price_cents }))
    },
    authenticate: (email, password) => authenticate(db, email, password),
    placeOrder: (body) => orders.placeOrder(opened, body),
    getOrder: (id) => orders.getOrder(db, id),
    getOrderWithToken: (id, token) => orders.getOrderWithToken(db, id, token),
    listOrders: (query) => orders.listOrders(db, query),
    changeStatus: (request) => orders.changeStatus(opened, request),
    listChanges: (after, limit) => orders.listChanges(db, after, limit),
    stats: () => computeStats(db, dialect),
    revokeToken: (jti, expiresAt) => revokeToken(db, jti, expiresAt),
    isTokenRevoked: (jti) => isTokenRevoked(db, jti),
    takeLoginToken: (account, limit) => takeLoginToken(db, dialect, account, limit),
    resetLoginTokens: (account) => resetLoginTokens(db, account),
    close: () => db.destroy(),
  }
}
