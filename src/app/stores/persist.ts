/** localStorage helpers that never throw (private mode, quota, disabled storage). */

export function readStored(key: string): unknown {
  try {
    const raw = globalThis.localStorage?.getItem(key)
    return raw ? (JSON.parse(raw) as unknown) : null
  } catch {
    return null
  }
}

function parseStored(raw: string | null): unknown {
  if (!raw) return null
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return null
  }
}

export function writeStored(key: string, value: unknown): void {
  try {
    if (value === null || value === undefined) globalThis.localStorage?.removeItem(key)
    else globalThis.localStorage?.setItem(key, JSON.stringify(value))
  } catch {
    // Storage full or disabled: the state still lives in memory for this tab.
  }
}

/** Calls `onChange` when another tab writes `key`; returns the unsubscribe function. */
export function onStorageKey(key: string, onChange: (value: unknown) => void): () => void {
  if (typeof window === 'undefined') return () => {}
  const listener = (event: StorageEvent): void => {
    if (event.key === key || event.key === null) onChange(event.key === null ? null : parseStored(event.newValue))
  }
  window.addEventListener('storage', listener)
  return () => window.removeEventListener('storage', listener)
}
