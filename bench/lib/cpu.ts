/**
 * Whole-machine CPU from /proc/stat, so a bench step can say how much of the two cores other
 * processes (not the server, not the load generators) took while it measured: on a shared box
 * that is the difference between a slow server and a busy neighbour.
 */
import { readFileSync } from 'node:fs'

export interface CpuSample {
  /** Core-seconds since boot spent in processes (user + nice + system) or stolen by the host. */
  busy: number
  /** Core-seconds in interrupts and softirqs: mostly loopback TCP, i.e. the bench's own traffic. */
  irq: number
  at: number
}

export function machineCpu(): CpuSample {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
  return { busy: (user + nice + system + steal) / 100, irq: (irq + softirq) / 100, at: performance.now() }
}

/** Cores busy in processes between two samples (2.0 = both cores of this machine fully busy). */
export function busyCores(from: CpuSample, to: CpuSample): number {
  return (to.busy - from.busy) / ((to.at - from.at) / 1000)
}

/** Cores spent in interrupts and softirqs between two samples (no process is charged for them). */
export function irqCores(from: CpuSample, to: CpuSample): number {
  return (to.irq - from.irq) / ((to.at - from.at) / 1000)
}

/** CPU seconds (user + system) one process has used, from /proc/<pid>/stat; NaN once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/**
 * Waits (at most `maxMs`) until the machine has been below `cores` busy for a second, so a step
 * does not start in the middle of someone else's compile. Returns the busy cores it last saw.
 */
export async function waitForQuiet(cores = 0.5, maxMs = 60_000): Promise<number> {
  const deadline = performance.now() + maxMs
  let last = Number.NaN
  while (performance.now() < deadline) {
    const from = machineCpu()
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const to = machineCpu()
    last = busyCores(from, to) + irqCores(from, to)
    if (last < cores) break
  }
  return last
}
