/**
 * The only reader of import.meta.env, so every build variable is parsed and defaulted in one
 * place (listed in docs/protocol.md, "Settings"). Imported by the app and both workers, so it
 * must stay free of DOM and Node APIs.
 */

function parseBoolean(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback
  return !['false', '0', 'off', 'no'].includes(raw.trim().toLowerCase())
}

function parsePositiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw)
  return Number.isInteger(value) && value > 0 ? value : fallback
}

export interface AppConfig {
  /** Backend origin without a trailing slash; '' means same origin. */
  apiUrl: string
  /** false: no socket at all, the app runs on the fallback poll alone. */
  enableSocket: boolean
  pollIntervalMs: number
  /** Unique per build: names the SharedWorker so tabs of two builds never share a hub. */
  buildId: string
}

export const config: AppConfig = Object.freeze({
  apiUrl: (import.meta.env.VITE_API_URL ?? '').trim().replace(/\/+$/, ''),
  enableSocket: parseBoolean(import.meta.env.VITE_ENABLE_SOCKET, true),
  pollIntervalMs: parsePositiveInt(import.meta.env.VITE_POLL_INTERVAL_MS, 5000),
  buildId: __BUILD_ID__,
})

/** Absolute URL of an API path, honouring VITE_API_URL. */
export function apiUrl(path: string): string {
  return `${config.apiUrl}${path}`
}
