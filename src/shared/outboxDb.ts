/**
 * The outbox in IndexedDB, shared by tabs and the service worker (both open the same database).
 * Raw IndexedDB: four operations do not earn a dependency. Entries outlive the tab that wrote
 * them, which is the point: closing the tab before the network returns loses nothing. The same
 * storage code backs the customer's checkout queue (placementQueue.ts), in a database of its own.
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
export type OutboxStorage = KeyedStorage<OutboxEntry>

const DB_NAME = 'orderline-outbox'
const STORE = 'entries'

/** A record kept by key, listed oldest first. */
interface KeyedRecord {
  key: string
  createdAt: number
}

/** The storage a queue needs: the admin outbox here, the customer's placement queue in placementQueue.ts. */
export interface KeyedStorage<T extends KeyedRecord> {
  all(): Promise<T[]>
  put(entry: T): Promise<void>
  remove(key: string): Promise<void>
}

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** One database per queue, one object store keyed by `key`: queues never share a schema version. */
function openDb(dbName: string, storeName: string): Promise<IDBDatabase> {
  const request = indexedDB.open(dbName, 1)
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(storeName)) request.result.createObjectStore(storeName, { keyPath: 'key' })
  }
  return promisify(request)
}

async function withStore<T>(
  dbName: string,
  storeName: string,
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb(dbName, storeName)
  try {
    const tx = db.transaction(storeName, mode)
    const result = await promisify(run(tx.objectStore(storeName)))
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

/** A keyed queue in its own IndexedDB database, shared by tabs and the service worker. */
export function openKeyedStorage<T extends KeyedRecord>(dbName: string, storeName: string): KeyedStorage<T> {
  return {
    all: async () => {
      const entries = (await withStore(dbName, storeName, 'readonly', (store) => store.getAll())) as T[]
      return entries.sort((a, b) => a.createdAt - b.createdAt)
    },
    put: async (entry) => {
      await withStore(dbName, storeName, 'readwrite', (store) => store.put(entry))
    },
    remove: async (key) => {
      await withStore(dbName, storeName, 'readwrite', (store) => store.delete(key))
    },
  }
}

/** For tests and environments without IndexedDB. */
export function memoryKeyedStorage<T extends KeyedRecord>(initial: T[] = []): KeyedStorage<T> {
  const entries = new Map(initial.map((entry) => [entry.key, entry]))
  return {
    all: async () => [...entries.values()].sort((a, b) => a.createdAt - b.createdAt),
    put: async (entry) => void entries.set(entry.key, { ...entry }),
    remove: async (key) => void entries.delete(key),
  }
}

export function openOutboxStorage(): OutboxStorage {
  return openKeyedStorage<OutboxEntry>(DB_NAME, STORE)
}

/** For tests and environments without IndexedDB. */
export function memoryOutboxStorage(initial: OutboxEntry[] = []): OutboxStorage {
  return memoryKeyedStorage(initial)
}
