/**
 * The outbox in IndexedDB, shared by tabs and the service worker (both open the same database).
 * Raw IndexedDB: four operations do not earn a dependency. Entries outlive the tab that wrote
 * them, which is the point: closing the tab before the network returns loses nothing.
 */
import type { Order, OrderStatus } from '../protocol'

type OutboxState = 'pending' | 'conflict' | 'illegal' | 'failed'

export interface OutboxEntry {
  /** The Idempotency-Key: the server applies a retried key once. */
  key: string
  orderId: string
  orderNumber: number | null
  fromStatus: OrderStatus
  status: OrderStatus
  /** The version the change expects (409 when the order moved on meanwhile). */
  version: number
  /** A cancellation's reason for the customer (absent on other changes and on entries queued before it existed). */
  reason?: string
  /** Admin bearer token captured when queued; replay needs it with no tab open. */
  token: string
  createdAt: number
  attempts: number
  state: OutboxState
  error: { code: string; message: string } | null
  /** The server's copy when the replay was refused (409/422). */
  current: Order | null
}

/** What replay needs; an in-memory implementation backs the unit tests. */
export interface OutboxStorage {
  all(): Promise<OutboxEntry[]>
  put(entry: OutboxEntry): Promise<void>
  remove(key: string): Promise<void>
}

const DB_NAME = 'orderline-outbox'
const STORE = 'entries'

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

function openDb(): Promise<IDBDatabase> {
  const request = indexedDB.open(DB_NAME, 1)
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'key' })
  }
  return promisify(request)
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb()
  try {
    const tx = db.transaction(STORE, mode)
    const result = await promisify(run(tx.objectStore(STORE)))
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error)
    })
    return result
  } finally {
    db.close()
  }
}

export const isOutboxSupported = (): boolean => typeof indexedDB !== 'undefined'

export function openOutboxStorage(): OutboxStorage {
  return {
    all: async () => {
      const entries = (await withStore('readonly', (store) => store.getAll())) as OutboxEntry[]
      return entries.sort((a, b) => a.createdAt - b.createdAt)
    },
    put: async (entry) => {
      await withStore('readwrite', (store) => store.put(entry))
    },
    remove: async (key) => {
      await withStore('readwrite', (store) => store.delete(key))
    },
  }
}

/** For tests and environments without IndexedDB. */
export function memoryOutboxStorage(initial: OutboxEntry[] = []): OutboxStorage {
  const entries = new Map(initial.map((entry) => [entry.key, entry]))
  return {
    all: async () => [...entries.values()].sort((a, b) => a.createdAt - b.createdAt),
    put: async (entry) => void entries.set(entry.key, { ...entry }),
    remove: async (key) => void entries.delete(key),
  }
}
