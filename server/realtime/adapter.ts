/**
 * The Socket.IO Redis streams adapter (REDIS_URL): every node appends its broadcasts to one Redis
 * stream and reads everyone else's, so `io.to(room).emit` reaches sockets on all nodes, and the
 * sessions that connection state recovery needs live in Redis, so a client can resume on another
 * node. Streams (unlike pub/sub) let a node that lost Redis for a while resume from its last
 * offset instead of silently missing what was published meanwhile.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter'
import { createClient } from 'redis'
import type { ServerOptions } from 'socket.io'

export interface RealtimeAdapter {
  /** Pass to `new Server({adapter})`. */
  readonly adapter: NonNullable<ServerOptions['adapter']>
  /** Resolves when Redis answers a PING within a second; readiness. */
  ping(): Promise<void>
  /** Flushes pending writes (sessions persisted at shutdown) and closes the connection. */
  close(): Promise<void>
}

export interface RedisAdapterOptions {
  url: string
  /** Logged once per outage, not once per reconnect attempt. */
  onError: (error: unknown) => void
  onReconnect?: () => void
  /** Fail start-up instead of serving without fan-out when Redis is unreachable at boot. */
  connectTimeoutMs?: number
}

const PING_TIMEOUT_MS = 1_000
/** Reconnect quickly at first, then every 2 s while Redis is down. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2_000)

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Connects the publishing client and builds the adapter (which duplicates it for its blocking
 * XREAD loop and its pub/sub channel, so reads never delay publishes). The client reconnects
 * forever with its offline queue on: commands issued during an outage wait and run once Redis is
 * back, and the adapter's reader resumes from the last offset it saw, so a restart costs latency,
 * not events. Refuses to start when Redis is unreachable at boot: serving without fan-out would
 * silently split the cluster.
 */
export async function connectRedisAdapter(options: RedisAdapterOptions): Promise<RealtimeAdapter> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000
  let connected = false
  const client = createClient({
    url: options.url,
    socket: {
      // Before the first connection, give up after a few refusals (start-up fails with the cause);
      // after it, retry forever: an outage must not end the node.
      reconnectStrategy: (retries: number, cause: Error) => (connected || retries < 3 ? reconnectStrategy(retries) : cause),
      connectTimeout: connectTimeoutMs,
    },
  })
  let healthy = true
  client.on('error', (error: unknown) => {
    if (healthy) options.onError(error)
    healthy = false
  })
  client.on('ready', () => {
    if (!healthy) options.onReconnect?.()
    healthy = true
  })
  try {
    await withTimeout(client.connect(), connectTimeoutMs, `Redis at REDIS_URL did not answer within ${connectTimeoutMs} ms`)
    connected = true
  } catch (error) {
    client.destroy()
    throw error
  }

  let closed = false
  return {
    // Payloads are JSON (the protocol has no binary), so skip the adapter's binary scan.
    adapter: createAdapter(client, { maxLen: 10_000, onlyPlaintext: true }),
    async ping() {
      if (!client.isReady) throw new Error('Redis is not connected')
      await withTimeout(client.ping(), PING_TIMEOUT_MS, 'Redis did not answer PING')
    },
    async close() {
      if (closed) return
      closed = true
      // close() waits for replies to commands already sent (e.g. sessions persisted on shutdown);
      // when Redis is down there is nothing to wait for, so destroy instead of hanging.
      if (!client.isReady) return client.destroy()
      await withTimeout(client.close(), 2_000, 'Redis did not close in time').catch(() => client.destroy())
    },
  }
}
