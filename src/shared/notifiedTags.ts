/**
 * Which system notifications this browser has already shown, in IndexedDB, shared by the tabs and
 * the service worker (admins' new orders; customers' status changes, from a hidden tab or a push). The record must be
 * seen by the next tab the moment this one writes it: localStorage is not that (Chromium mirrors
 * it per renderer process and propagates writes asynchronously, so a second tab could read the
 * old list and show a duplicate), while a committed IndexedDB transaction is visible to every
 * context of the origin at once, and readwrite transactions on one store run one at a time.
 */
const DB_NAME = 'orderline-notified'
const STORE = 'tags'
/** Orders a customer asked to be notified about, with what the service worker needs (token). */
const TRACKED = 'tracked'
/** Enough to cover any burst of new orders; older tags cannot come back as "new" anyway. */
export const MAX_REMEMBERED = 200

interface Claimed {
  tag: string
  at: number
  /** Version claims only: the highest version shown under this key. */
  version?: number
}

/** An order this browser shows status notifications for (the customer's "Notify me"). */
export interface TrackedOrder {
  orderId: string
  /** The tracking token: the service worker reads the order's cache entry and opens the page with it. */
  token: string
  number: number
  /** The push endpoint this order was registered with on the server, or null (only while a tab is open). */
  endpoint: string | null
  at: number
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'))
  })
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 2)
    request.onupgradeneeded = (event) => {
      const db = request.result
      if (event.oldVersion < 1) db.createObjectStore(STORE, { keyPath: 'tag' }).createIndex('at', 'at')
      if (event.oldVersion < 2) db.createObjectStore(TRACKED, { keyPath: 'orderId' })
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** Past the limit, the oldest claims go. Runs inside the caller's readwrite transaction. */
function trim(store: IDBObjectStore): void {
  const count = store.count()
  count.onsuccess = () => {
    let excess = count.result - MAX_REMEMBERED
    if (excess <= 0) return
    const oldest = store.index('at').openCursor()
    oldest.onsuccess = () => {
      const cursor = oldest.result
      if (!cursor || excess-- <= 0) return
      cursor.delete()
      cursor.continue()
    }
  }
}

/**
 * Claims `tag` for this tab: true when no context of this browser had it, in which case the
 * caller shows the notification (and `release`s the claim if showing fails). One transaction
 * checks and writes, so two tabs can never both get true.
 */
export async function claimTag(tag: string, now = Date.now()): Promise<boolean> {
  const db = await openDb()
  try {
    const tx = db.transaction(STORE, 'readwrite')
    const store = tx.objectStore(STORE)
    let claimed = false
    const existing = store.get(tag)
    existing.onsuccess = () => {
      if (existing.result !== undefined) return
      claimed = true
      store.put({ tag, at: now } satisfies Claimed)
      trim(store)
    }
    await done(tx)
    return claimed
  } finally {
    db.close()
  }
}

/** Gives a claim back (the notification could not be shown), so another tab may try. */
export async function releaseTag(tag: string): Promise<void> {
  const db = await openDb()
  try {
    const tx = db.transaction(STORE, 'readwrite')
    tx.objectStore(STORE).delete(tag)
    await done(tx)
  } finally {
    db.close()
  }
}

/** The claim key of one order's status notifications: the tracking tabs and the push handler share it. */
export function statusClaimKey(orderId: string): string {
  return `status:${orderId}`
}

/** What a version claim returns: whether this caller shows it, and the version held before. */
export interface VersionClaim {
  claimed: boolean
  previous: number
}

/**
 * Claims version `version` under `key` (one order's status notifications): true only when no
 * context of this browser showed this version or a newer one, so a status is announced once
 * per browser and never moves backwards (a late push of an older version shows nothing).
 */
export async function claimVersion(key: string, version: number, now = Date.now()): Promise<VersionClaim> {
  const db = await openDb()
  try {
    const tx = db.transaction(STORE, 'readwrite')
    const store = tx.objectStore(STORE)
    const result: VersionClaim = { claimed: false, previous: 0 }
    const existing = store.get(key)
    existing.onsuccess = () => {
      const held = existing.result as Claimed | undefined
      result.previous = held?.version ?? 0
      if (result.previous >= version) return
      result.claimed = true
      store.put({ tag: key, at: now, version } satisfies Claimed)
      if (!held) trim(store)
    }
    await done(tx)
    return result
  } finally {
    db.close()
  }
}

/** Gives a version claim back (showing failed): restores `previous` unless a newer one came since. */
export async function releaseVersion(key: string, claim: { version: number; previous: number }): Promise<void> {
  const db = await openDb()
  try {
    const tx = db.transaction(STORE, 'readwrite')
    const store = tx.objectStore(STORE)
    const existing = store.get(key)
    existing.onsuccess = () => {
      const held = existing.result as Claimed | undefined
      if (held?.version !== claim.version) return
      if (claim.previous > 0) store.put({ ...held, version: claim.previous })
      else store.delete(key)
    }
    await done(tx)
  } finally {
    db.close()
  }
}

async function trackedTx<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb()
  try {
    const tx = db.transaction(TRACKED, mode)
    const request = run(tx.objectStore(TRACKED))
    await done(tx)
    return request ? request.result : undefined
  } finally {
    db.close()
  }
}

/** Records (or updates) an order this browser notifies about. */
export async function putTrackedOrder(record: TrackedOrder): Promise<void> {
  await trackedTx('readwrite', (store) => void store.put(record))
}

export async function getTrackedOrder(orderId: string): Promise<TrackedOrder | null> {
  return ((await trackedTx('readonly', (store) => store.get(orderId) as IDBRequest<TrackedOrder | undefined>)) ??
    null) as TrackedOrder | null
}

export async function listTrackedOrders(): Promise<TrackedOrder[]> {
  return ((await trackedTx('readonly', (store) => store.getAll() as IDBRequest<TrackedOrder[]>)) ?? []) as TrackedOrder[]
}

export async function deleteTrackedOrder(orderId: string): Promise<void> {
  await trackedTx('readwrite', (store) => void store.delete(orderId))
}
