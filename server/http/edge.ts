/**
 * What the server checks before any route or Socket.IO handler: which Host names it serves (DNS
 * rebinding), which client address a connection belongs to (behind trusted proxies, the forwarded
 * one), and how many connections one address may hold open. docs/security.md lists each answer.
 */
import { ServerResponse } from 'node:http'
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import type { Socket } from 'node:net'
import proxyAddr from '@fastify/proxy-addr'
import type { ApiErrorBody } from '../../src/protocol/events'

/** `Host` → lower-cased name (`[::1]` keeps its brackets) and port (null when absent). */
function splitHost(host: string): { name: string; port: string | null } {
  const lower = host.trim().toLowerCase()
  const close = lower.startsWith('[') ? lower.indexOf(']') : -1
  const colon = lower.lastIndexOf(':')
  if (colon > close && colon > -1) return { name: lower.slice(0, colon), port: lower.slice(colon + 1) }
  return { name: lower, port: null }
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', ''])

export interface HostGuardOptions {
  /** ALLOWED_HOSTS entries (`name` matches any port, `name:port` that port); null: own addresses only. */
  allowedHosts: readonly string[] | null
  /** HOST the server binds. */
  bindHost: string
  /** The listening port (known once listening). */
  port: () => number
}

/**
 * A predicate over the raw Host header. This node's own addresses with its port (127.0.0.1,
 * localhost, [::1] and HOST) are always served, so probes on the machine (`curl
 * 127.0.0.1:3001/readyz`) work: a rebinding page never sends them, its Host is its own name.
 */
export function createHostGuard(options: HostGuardOptions): (host: string | undefined) => boolean {
  const configured = (options.allowedHosts ?? []).map(splitHost)
  const bind = options.bindHost.includes(':') && !options.bindHost.startsWith('[') ? `[${options.bindHost}]` : options.bindHost
  const ownNames = new Set(['127.0.0.1', 'localhost', '[::1]', ...(WILDCARD_BINDS.has(options.bindHost) ? [] : [bind.toLowerCase()])])
  return (host) => {
    if (!host) return false
    const { name, port } = splitHost(host)
    if (ownNames.has(name) && port === String(options.port())) return true
    return configured.some((entry) => entry.name === name && (entry.port === null || entry.port === port))
  }
}

/** `request.ip` for raw Node requests: the forwarded address when the peer is a trusted proxy. */
export function createAddressResolver(trustProxy: readonly string[]): {
  clientAddress(request: IncomingMessage): string
  isTrustedProxy(address: string): boolean
} {
  if (trustProxy.length === 0) {
    return { clientAddress: (request) => request.socket.remoteAddress ?? '', isTrustedProxy: () => false }
  }
  const trust = proxyAddr.compile([...trustProxy])
  return { clientAddress: (request) => proxyAddr(request, trust), isTrustedProxy: (address) => trust(address, 0) }
}

function envelope(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } } satisfies ApiErrorBody)
}

const REASONS: Record<number, string> = {
  403: 'Forbidden',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
}

/** A whole HTTP/1.1 error answer for a raw socket (before HTTP parsing, or on an upgrade). */
function rawErrorResponse(status: number, code: string, message: string): string {
  const body = envelope(code, message)
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}

/** Writes the answer and closes; a peer that never reads is cut off after a second. */
function refuseSocket(socket: Socket, response: string): void {
  // Never read the request: nothing parses it, so nothing else tries to answer it.
  socket.pause()
  if (socket.writable) socket.end(response)
  setTimeout(() => socket.destroy(), 1_000).unref()
}

/**
 * Answers an Engine.IO request with the error envelope: through `res` for a plain request, or
 * straight on the socket for a WebSocket upgrade (Engine.IO's stand-in `res` there cannot write).
 */
export function refuseEngineRequest(request: IncomingMessage, res: unknown, status: number, code: string, message: string): void {
  if (res instanceof ServerResponse) {
    const body = envelope(code, message)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    })
    res.end(body)
    return
  }
  refuseSocket(request.socket, rawErrorResponse(status, code, message))
}

/**
 * Caps open TCP connections per peer address (ORDERLINE_CONNECTIONS_PER_IP). Trusted proxies are
 * exempt: all their clients share one address, and nginx caps per client itself (limit_conn in
 * deploy/nginx.conf). Over the cap, the connection is answered 503 and closed before it is read.
 */
export function capConnectionsPerAddress(server: HttpServer, limit: number, isTrustedProxy: (address: string) => boolean): void {
  if (limit <= 0) return
  const open = new Map<string, number>()
  const refusal = rawErrorResponse(503, 'too_many_connections', 'Too many open connections from this address.')
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress
    if (!address || isTrustedProxy(address)) return
    const count = (open.get(address) ?? 0) + 1
    if (count > limit) return refuseSocket(socket, refusal)
    open.set(address, count)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left > 0) open.set(address, left)
      else open.delete(address)
    })
  })
}
