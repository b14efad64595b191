/**
 * Which system notifications this browser has already shown, in IndexedDB. The record must be
 * seen by the next tab the moment this one writes it: localStorage is not that (Chromium mirrors
 * it per renderer process and propagates writes asynchronously, so a second tab could read the
 * old list and show a duplicate), while a committed IndexedDB transaction is visible to every
 * context of the origin at once, and readwrite transactions on one store run one at a time.
 */
const DB_NAME = 'orderline-notified'
const STORE = 'tags'
/** Enough to cover any burst of new orders; older tags cannot come back as "new" anyway. */
export const MAX_REMEMBERED = 200

interface Claimed {
  tag: string
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
    const request = indexedDB.open(DB_NAME, 1)
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: 'tag' })
      store.createIndex('at', 'at')
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
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
      // Bounded: past the limit, the oldest claims go.
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
