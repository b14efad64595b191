/**
 * A light load generator for the capacity part: customer watchers as raw `ws` WebSockets speaking
 * Engine.IO v4 / Socket.IO v5 frames directly, with none of socket.io-client's per-connection
 * machinery (manager, reconnection timers, packet objects). Per socket it keeps the WebSocket and
 * an ack counter; per receipt it parses one JSON string and stores one timestamp.
 *
 * Wire, as the server speaks it: `0{…}` open → we send `40` (connect to `/`) → `40{…}` connected →
 * `42<id>["watchOrder",{orderId,token}]` → `43<id>[{"ok":true}]`; `2` ping → `3` pong;
 * `42["orderUpdated",{order,…},<offset>]` is a receipt, keyed `${order.id}:${order.version}`.
 *
 * Driven over IPC by bench/capacity.ts; runs in its own process so its CPU is measured apart
 * from the server's. Sockets bind to the `localAddress` given (127.0.0.x, all loopback) so the
 * ephemeral ports of one source address never run out.
 */
import WebSocket from 'ws'

interface Watcher {
  ws: WebSocket
  index: number
  nextAck: number
  acks: Map<number, (ok: boolean) => void>
}

type Command =
  | { type: 'connect'; url: string; count: number; firstIndex: number; localAddress: string; batch: number }
  | { type: 'watch'; orders: { orderId: string; token: string }[]; perSocket: number; batch: number }
  | { type: 'report' }
  | { type: 'close' }

const watchers: Watcher[] = []
const receipts: Record<string, number[]> = {}
let deflateNegotiated = 0
let closedEarly = 0
const now = () => performance.timeOrigin + performance.now()

function onMessage(watcher: Watcher, data: WebSocket.RawData): void {
  const text = data.toString()
  if (text === '2') return void watcher.ws.send('3')
  if (text.startsWith('42["orderUpdated"')) {
    const at = now()
    const payload = JSON.parse(text.slice(2)) as [string, { order: { id: string; version: number } }]
    const key = `${payload[1].order.id}:${payload[1].order.version}`
    ;(receipts[key] ??= []).push(at)
    return
  }
  if (text.startsWith('43')) {
    const bracket = text.indexOf('[')
    const id = Number(text.slice(2, bracket))
    const ack = (JSON.parse(text.slice(bracket)) as [{ ok: boolean }])[0]
    watcher.acks.get(id)?.(ack.ok)
    watcher.acks.delete(id)
  }
}

/** Resolves once the Socket.IO connect (`40{…}`) has come back; rejects on error or 20 s. */
function connectOne(url: string, index: number, localAddress: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { localAddress })
    const watcher: Watcher = { ws, index, nextAck: 1, acks: new Map() }
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`socket ${index}: no connect in 20 s`))), 20_000)
    const handshake = (data: WebSocket.RawData) => {
      const text = data.toString()
      if (text.startsWith('0{')) {
        if (ws.extensions.includes('permessage-deflate')) deflateNegotiated++
        ws.send('40')
      } else if (text.startsWith('40')) {
        clearTimeout(timer)
        ws.off('message', handshake)
        ws.on('message', (message) => onMessage(watcher, message))
        resolve(watcher)
      } else if (text.startsWith('44')) {
        clearTimeout(timer)
        reject(new Error(`socket ${index}: connect refused ${text}`))
      }
    }
    ws.on('message', handshake)
    ws.once('error', (error) => (clearTimeout(timer), reject(error)))
    ws.once('close', () => closedEarly++)
  })
}

function watch(watcher: Watcher, orderId: string, token: string): Promise<boolean> {
  const id = watcher.nextAck++
  return new Promise((resolve) => {
    watcher.acks.set(id, resolve)
    watcher.ws.send(`42${id}${JSON.stringify(['watchOrder', { orderId, token }])}`)
  })
}

process.on('message', async (command: Command) => {
  try {
    if (command.type === 'connect') {
      let failures = 0
      let firstError = ''
      for (let i = 0; i < command.count; i += command.batch) {
        const batch: Promise<void>[] = []
        for (let j = i; j < Math.min(command.count, i + command.batch); j++) {
          batch.push(
            connectOne(command.url, command.firstIndex + j, command.localAddress).then(
              (watcher) => void watchers.push(watcher),
              (error: Error) => {
                failures++
                firstError ||= error.message
              },
            ),
          )
        }
        await Promise.all(batch)
      }
      process.send?.({ type: 'connected', total: watchers.length, failures, firstError, deflateNegotiated })
    } else if (command.type === 'watch') {
      // Socket with global index g watches order g mod K, and with two per socket also the order
      // half-way round, so every order ends up with the same number of watchers.
      const k = command.orders.length
      let refused = 0
      for (let i = 0; i < watchers.length; i += command.batch) {
        const batch: Promise<boolean>[] = []
        for (const watcher of watchers.slice(i, i + command.batch)) {
          for (let w = 0; w < command.perSocket; w++) {
            const order = command.orders[(watcher.index + w * Math.floor(k / 2)) % k] as { orderId: string; token: string }
            batch.push(watch(watcher, order.orderId, order.token))
          }
        }
        refused += (await Promise.all(batch)).filter((ok) => !ok).length
      }
      process.send?.({ type: 'watched', refused })
    } else if (command.type === 'report') {
      const open = watchers.filter((watcher) => watcher.ws.readyState === WebSocket.OPEN).length
      process.send?.({ type: 'report', receipts, cpu: process.cpuUsage(), open, closedEarly, rss: process.memoryUsage().rss })
      for (const key of Object.keys(receipts)) delete receipts[key]
    } else {
      for (const watcher of watchers) watcher.ws.terminate()
      process.exit(0)
    }
  } catch (error) {
    process.send?.({ type: 'error', message: (error as Error).message })
  }
})

// The parent going away (crash, Ctrl-C) must not leave thousands of sockets open.
process.on('disconnect', () => process.exit(0))
