/**
 * A fleet of real socket.io-client connections in its own process (so the clients' event loop
 * does not share a core's time with the process timing the changes). Each client watches one
 * order; every `orderUpdated` received is timestamped (epoch ms, sub-ms) and reported on request.
 */
import { io, type Socket } from 'socket.io-client'

interface Start {
  type: 'start'
  url: string
  count: number
  targets: { orderId: string; token: string }[]
  batch: number
}

const sockets: Socket[] = []
const receipts: Record<string, number[]> = {}
const now = () => performance.timeOrigin + performance.now()

async function connectOne(url: string, target: { orderId: string; token: string }): Promise<void> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, timeout: 20_000 })
  sockets.push(socket)
  socket.on('orderUpdated', (change: { order: { id: string; version: number } }) => {
    const key = `${change.order.id}:${change.order.version}`
    ;(receipts[key] ??= []).push(now())
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  const ack = (await socket.timeout(20_000).emitWithAck('watchOrder', target)) as { ok: boolean; error?: unknown }
  if (!ack.ok) throw new Error(`watchOrder refused: ${JSON.stringify(ack.error)}`)
}

process.on('message', async (message: Start | { type: 'report' } | { type: 'close' }) => {
  if (message.type === 'start') {
    try {
      for (let i = 0; i < message.count; i += message.batch) {
        const batch = []
        for (let j = i; j < Math.min(message.count, i + message.batch); j++) {
          batch.push(connectOne(message.url, message.targets[j % message.targets.length] as { orderId: string; token: string }))
        }
        await Promise.all(batch)
      }
      process.send?.({ type: 'ready', connected: sockets.filter((socket) => socket.connected).length })
    } catch (error) {
      process.send?.({ type: 'error', message: (error as Error).message })
    }
  } else if (message.type === 'report') {
    process.send?.({ type: 'report', receipts })
    for (const key of Object.keys(receipts)) delete receipts[key]
  } else {
    for (const socket of sockets) socket.disconnect()
    process.exit(0)
  }
})
