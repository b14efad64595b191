/** Parent side of bench/lib/fleet-child.ts: start N watching clients, collect their receipts. */
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'

export interface Fleet {
  connected: number
  /** Receive times (epoch ms) per `${orderId}:${version}`, cleared after each call. */
  receipts(): Promise<Record<string, number[]>>
  close(): Promise<void>
}

export async function startFleet(
  url: string,
  count: number,
  targets: { orderId: string; token: string }[],
  timeoutMs = 180_000,
): Promise<Fleet> {
  const child: ChildProcess = fork(path.resolve('bench/lib/fleet-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fleet: no ${type} within ${timeoutMs} ms`)), timeoutMs)
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type === 'error') {
          clearTimeout(timer)
          child.off('message', onMessage)
          reject(new Error(`fleet: ${message.message}`))
        } else if (message.type === type) {
          clearTimeout(timer)
          child.off('message', onMessage)
          resolve(message as T)
        }
      }
      child.on('message', onMessage)
    })
  const ready = next<{ connected: number }>('ready')
  child.send({ type: 'start', url, count, targets, batch: 100 })
  let connected: number
  try {
    connected = (await ready).connected
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    connected,
    receipts: async () => {
      const report = next<{ receipts: Record<string, number[]> }>('report')
      child.send({ type: 'report' })
      return (await report).receipts
    },
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.send({ type: 'close' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
