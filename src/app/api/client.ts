/**
 * Typed fetch wrapper: every response body is validated with a protocol schema before it is
 * returned, and every error answer becomes an `ApiError` carrying the server's envelope.
 */
import * as v from 'valibot'
import { apiUrl } from '../../config'
import { readErrorEnvelope } from '../../protocol'
import { takeEarlyResponse } from './earlyOrder'

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  /** The server's copy of the resource on 409/422, still unvalidated. */
  readonly current?: unknown

  constructor(status: number, code: string, message: string, current?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    if (current !== undefined) this.current = current
  }
}

/** Status 0: the request never got an HTTP answer (offline, DNS, CORS). */
export const NETWORK_ERROR = 'network_error'
export const INVALID_RESPONSE = 'invalid_response'

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  body?: unknown
  token?: string | null
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Outlives the page (sent while it is being closed): the browser finishes the request. */
  keepalive?: boolean
}

/** Turns any error body into an ApiError; tolerant of non-JSON and non-envelope answers. */
export function parseErrorBody(status: number, body: unknown, statusText = ''): ApiError {
  const envelope = readErrorEnvelope(body, status)
  return new ApiError(status, envelope.code, envelope.message ?? (statusText || `Request failed with status ${status}`), envelope.current)
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!text) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Low-level request: returns the raw Response after checking `ok`, throwing ApiError otherwise. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (options.token) headers.Authorization = `Bearer ${options.token}`
  const url = apiUrl(path)
  // The tracking page's first load of its order may already be under way (earlyOrder.ts): a plain
  // GET with the same credential takes that answer instead of asking again.
  const plainGet = (options.method ?? 'GET') === 'GET' && Object.keys(options.headers ?? {}).length === 0
  const early = plainGet && options.token ? takeEarlyResponse(url, options.token) : null
  let response: Response
  try {
    response = await (early ??
      fetch(url, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        ...(options.keepalive ? { keepalive: true } : {}),
      }))
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, NETWORK_ERROR, 'Cannot reach the server. Check your connection and try again.')
  }
  if (!response.ok && response.status !== 304) {
    throw parseErrorBody(response.status, await readJson(response), response.statusText)
  }
  return response
}

/** Parses a body with a schema; a mismatch is an ApiError, never a silently wrong value. */
export function validate<S extends v.GenericSchema>(schema: S, body: unknown, status = 200): v.InferOutput<S> {
  const result = v.safeParse(schema, body)
  if (!result.success) {
    throw new ApiError(status, INVALID_RESPONSE, 'The server sent an unexpected response.')
  }
  return result.output
}

/** JSON request validated with `schema`. */
export async function request<S extends v.GenericSchema>(path: string, schema: S, options: RequestOptions = {}): Promise<v.InferOutput<S>> {
  const response = await send(path, options)
  return validate(schema, await readJson(response), response.status)
}

/** Request whose answer body does not matter (e.g. logout). */
export async function requestVoid(path: string, options: RequestOptions = {}): Promise<void> {
  await send(path, options)
}

export { readJson }
