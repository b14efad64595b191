/**
 * The store: one object the routes and the realtime module share. It hides Kysely behind
 * intention-revealing methods so the routes never build queries (and never see unvalidated input
 * reach SQL: every value here arrives already parsed by the protocol schemas).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { TakeResult } from '../http/rateLimit'
import type { Order, OrderStatus, Product, Stats } from '../../src/protocol/order'
import type { PlaceOrderBody, PushSubscriptionBody } from '../../src/protocol/requests'
import { openDatabase, withBootstrapLock } from './db'
import type { SqlDialect } from './db'
import { createEstimator } from './estimates'
import type { StageTimings } from './estimates'
import { migrateToLatest } from './migrations'
import { resetLoginTokens, takeLoginToken, type BucketLimit } from './loginBuckets'
import * as orders from './orders'
import { placeOrderOnce } from './placements'
import type { PlacementKey, PlacementResult } from './placements'
import * as push from './push'
import { isTokenRevoked, revokeToken } from './revocations'
import type { Database } from './schema'
import { seedDemoData } from './seed'
import { computeStats } from './stats'
import type { ScryptParams } from './passwords'
import { adminTokenState, authenticate, bumpTokenGeneration, ensureAdmin } from './users'
import type { AdminTokenState, AuthenticatedUser, EnsureAdminResult } from './users'

export interface StoreOptions {
  databaseUrl: string
  adminEmail: string
  adminPassword: string
  seedDemoData: boolean
  /** Disable every admin but `adminEmail` (production: see ensureAdmin in users.ts). */
  disableOtherAdmins?: boolean
  /**
   * scrypt cost for new hashes; production always uses PASSWORD_PARAMS (passwords.ts). Only
   * tests and benchmarks pass a cheaper one, never the environment.
   */
  passwordParams?: ScryptParams
  /** Most often the delivery-estimate medians are recomputed, ms (default one minute). */
  etaRefreshMs?: number
}

const DEFAULT_ETA_REFRESH_MS = 60_000

export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: SqlDialect
  /** Throws when the database does not answer: readiness. */
  ping(): Promise<void>
  listProducts(): Promise<Product[]>
  authenticate(email: string, password: string): Promise<AuthenticatedUser | undefined>
  placeOrder(body: PlaceOrderBody): Promise<orders.PlaceOrderResult>
  /** Checkout with an Idempotency-Key: one order per key and body, replays within 24 h. */
  placeOrderOnce(body: PlaceOrderBody, key: PlacementKey): Promise<PlacementResult>
  getOrder(id: string): Promise<Order | undefined>
  getOrderWithToken(id: string, token: string): Promise<Order | undefined>
  listOrders(query: {
    status?: OrderStatus | undefined
    cursor?: string | undefined
    limit: number
    q?: string | undefined
  }): ReturnType<typeof orders.listOrders>
  changeStatus(request: orders.StatusChangeRequest): ReturnType<typeof orders.changeStatus>
  listChanges(after: number, limit: number): Promise<orders.ChangesPage>
  stats(): Promise<Stats>
  /** Records a logged-out admin token id until `expiresAt`; idempotent. */
  revokeToken(jti: string, expiresAt: Date): Promise<void>
  isTokenRevoked(jti: string): Promise<boolean>
  /** Revocation, existence, enabled state and token generation of an admin token, in one query. */
  adminTokenState(userId: string, jti: string): Promise<AdminTokenState>
  /** Ends every token the user holds (the generation moves on). */
  signOutEverywhere(userId: string): Promise<void>
  /** Admins disabled at this start because the configuration did not name them. */
  readonly disabledAdmins: number
  /** Users whose tokens this start ended (password changed or disabled): close their sockets. */
  readonly endedSessions: readonly string[]
  /** Takes one sign-in attempt from the account's cluster-wide budget. */
  takeLoginToken(account: string, limit: BucketLimit): Promise<TakeResult>
  resetLoginTokens(account: string): Promise<void>
  addPushSubscription(orderId: string, body: Pick<PushSubscriptionBody, 'endpoint' | 'keys'>): Promise<push.AddSubscriptionResult>
  removePushSubscription(orderId: string, endpoint: string): Promise<boolean>
  listPushSubscriptions(orderId: string): Promise<push.StoredSubscription[]>
  deletePushSubscription(id: string): Promise<void>
  pruneFinishedPushSubscriptions(before: Date): Promise<number>
  ensureVapidKeys(generate: () => push.VapidKeyPair): Promise<push.VapidKeyPair>
  /** Recomputes the delivery-estimate medians now (otherwise at most every `etaRefreshMs`). */
  refreshEstimates(): Promise<StageTimings>
  close(): Promise<void>
}

/** Opens, migrates, ensures the admin and (on an empty database) seeds demo data. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const opened = openDatabase(options.databaseUrl)
  const { db, dialect } = opened
  let bootstrap: EnsureAdminResult = { endedSessions: [], disabledAdmins: 0 }
  try {
    await migrateToLatest(db, dialect)
    // Several nodes may start together on an empty database: one creates the admin and seeds.
    await withBootstrapLock(opened, async () => {
      bootstrap = await ensureAdmin(db, options.adminEmail, options.adminPassword, {
        disableOthers: options.disableOtherAdmins ?? false,
        ...(options.passwordParams ? { params: options.passwordParams } : {}),
      })
      if (options.seedDemoData) await seedDemoData(opened)
    })
  } catch (error) {
    await db.destroy()
    throw error
  }
  // Every order leaving the store carries its estimate: REST answers, socket payloads and the
  // change feed all come through here, so none can miss it.
  const estimator = createEstimator(db, options.etaRefreshMs ?? DEFAULT_ETA_REFRESH_MS)
  try {
    await estimator.refresh()
  } catch (error) {
    await db.destroy()
    throw error
  }
  const withEstimate = <T extends Order>(order: T): T => estimator.decorate(order)
  const withEstimates = <T extends { order: Order }>(entry: T): T => ({ ...entry, order: withEstimate(entry.order) })
  return {
    db,
    dialect,
    disabledAdmins: bootstrap.disabledAdmins,
    endedSessions: bootstrap.endedSessions,
    async ping() {
      await sql`select 1`.execute(db)
    },
    async listProducts() {
      const rows = await db.selectFrom('products').selectAll().orderBy('sort_order').orderBy('id').execute()
      return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, priceCents: r.price_cents }))
    },
    authenticate: (email, password) => authenticate(db, email, password, options.passwordParams),
    async placeOrder(body) {
      const placed = await orders.placeOrder(opened, body)
      return placed.ok ? { ...placed, change: withEstimates(placed.change) } : placed
    },
    async placeOrderOnce(body, key) {
      const result = await placeOrderOnce(opened, body, key)
      if (result.kind === 'placed') return { ...result, change: withEstimates(result.change) }
      if (result.kind === 'replayed') return { ...result, order: withEstimate(result.order) }
      return result
    },
    getOrder: async (id) => {
      const order = await orders.getOrder(db, id)
      return order && withEstimate(order)
    },
    getOrderWithToken: async (id, token) => {
      const order = await orders.getOrderWithToken(db, id, token)
      return order && withEstimate(order)
    },
    async listOrders(query) {
      const page = await orders.listOrders(db, query)
      return 'orders' in page ? { ...page, orders: page.orders.map(withEstimate) } : page
    },
    async changeStatus(request) {
      const { result, replayed } = await orders.changeStatus(opened, request)
      if (result.kind === 'updated') return { result: { ...result, change: withEstimates(result.change) }, replayed }
      if (result.kind === 'version_conflict' || result.kind === 'illegal_transition') {
        return { result: { ...result, current: withEstimate(result.current) }, replayed }
      }
      return { result, replayed }
    },
    async listChanges(after, limit) {
      const page = await orders.listChanges(db, after, limit)
      return { ...page, changes: page.changes.map(withEstimates) }
    },
    stats: () => computeStats(db, dialect),
    revokeToken: (jti, expiresAt) => revokeToken(db, jti, expiresAt),
    isTokenRevoked: (jti) => isTokenRevoked(db, jti),
    adminTokenState: (userId, jti) => adminTokenState(db, userId, jti),
    signOutEverywhere: (userId) => bumpTokenGeneration(db, userId),
    takeLoginToken: (account, limit) => takeLoginToken(db, dialect, account, limit),
    resetLoginTokens: (account) => resetLoginTokens(db, account),
    addPushSubscription: (orderId, body) => push.addSubscription(opened, orderId, body),
    removePushSubscription: (orderId, endpoint) => push.removeSubscription(db, orderId, endpoint),
    listPushSubscriptions: (orderId) => push.listSubscriptions(db, orderId),
    deletePushSubscription: (id) => push.deleteSubscription(db, id),
    pruneFinishedPushSubscriptions: (before) => push.pruneFinishedSubscriptions(db, before),
    ensureVapidKeys: (generate) => push.ensureVapidKeys(db, generate),
    refreshEstimates: () => estimator.refresh(),
    close: () => db.destroy(),
  }
}
