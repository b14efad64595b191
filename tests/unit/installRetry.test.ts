import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { retryFailedFirstInstall } from '../../src/app/pwa/installRetry'

/** A service worker as far as the retry sees it: a state and `statechange`. */
class FakeWorker extends EventTarget {
  state: ServiceWorkerState = 'installing'
  to(state: ServiceWorkerState): void {
    this.state = state
    this.dispatchEvent(new Event('statechange'))
  }
}

class FakeRegistration {
  installing: FakeWorker | null
  waiting: FakeWorker | null = null
  active: FakeWorker | null = null
  constructor(worker: FakeWorker | null) {
    this.installing = worker
  }
  /** The browser's side of a failed install: the worker goes redundant, the registration empties. */
  fail(): void {
    const worker = this.installing
    this.installing = null
    worker?.to('redundant')
  }
  succeed(): void {
    const worker = this.installing
    this.installing = null
    this.active = worker
    worker?.to('activated')
  }
}

const asRegistration = (fake: FakeRegistration) => fake as unknown as ServiceWorkerRegistration
const DELAYS = [5_000, 15_000, 60_000]

describe('retryFailedFirstInstall', () => {
  let events: EventTarget
  beforeEach(() => {
    vi.useFakeTimers()
    events = new EventTarget()
  })
  afterEach(() => vi.useRealTimers())

  /** `first` null: the registration itself failed. */
  function start(first: FakeRegistration | null, attempts: (() => FakeRegistration | Error)[]) {
    const register = vi.fn(async () => {
      const next = attempts.shift()?.()
      if (!next || next instanceof Error) throw next ?? new Error('no attempt left')
      return asRegistration(next)
    })
    const onInstalled = vi.fn()
    const onRegistration = vi.fn()
    const stop = retryFailedFirstInstall(first && asRegistration(first), {
      register,
      onInstalled,
      onRegistration,
      delaysMs: DELAYS,
      events,
    })
    return { register, onInstalled, onRegistration, stop }
  }

  it('registers again after a failed first install, and stops once a worker is installed', async () => {
    const first = new FakeRegistration(new FakeWorker())
    const second = new FakeRegistration(new FakeWorker())
    const { register, onInstalled, onRegistration } = start(first, [() => second])
    first.fail()
    await vi.advanceTimersByTimeAsync(4_999)
    expect(register).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(register).toHaveBeenCalledTimes(1)
    expect(onRegistration).toHaveBeenCalledWith(second)
    second.succeed()
    expect(onInstalled).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(register).toHaveBeenCalledTimes(1)
  })

  it('waits longer after each failure, and keeps the last delay', async () => {
    const first = new FakeRegistration(new FakeWorker())
    const { register } = start(first, [])
    first.fail()
    const at: number[] = []
    register.mockImplementation(async () => {
      at.push(Date.now())
      throw new Error('offline')
    })
    const startAt = Date.now()
    await vi.advanceTimersByTimeAsync(5_000 + 15_000 + 60_000 + 60_000)
    expect(at.map((time) => time - startAt)).toEqual([5_000, 20_000, 80_000, 140_000])
  })

  it('a retried install that fails again is retried too', async () => {
    const first = new FakeRegistration(new FakeWorker())
    const second = new FakeRegistration(new FakeWorker())
    const third = new FakeRegistration(new FakeWorker())
    const { register, onInstalled } = start(first, [() => second, () => third])
    first.fail()
    await vi.advanceTimersByTimeAsync(5_000)
    second.fail()
    await vi.advanceTimersByTimeAsync(15_000)
    expect(register).toHaveBeenCalledTimes(2)
    third.succeed()
    expect(onInstalled).toHaveBeenCalledTimes(1)
  })

  it('coming back online sends a waiting attempt at once', async () => {
    const first = new FakeRegistration(new FakeWorker())
    const second = new FakeRegistration(new FakeWorker())
    const { register } = start(first, [() => second])
    first.fail()
    await vi.advanceTimersByTimeAsync(1_000)
    events.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(0)
    expect(register).toHaveBeenCalledTimes(1)
    // No second attempt from the cancelled timer.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(register).toHaveBeenCalledTimes(1)
  })

  it('leaves a successful first install alone, and a registration that was already active', async () => {
    const first = new FakeRegistration(new FakeWorker())
    const ok = start(first, [])
    first.succeed()
    const active = new FakeRegistration(null)
    active.active = new FakeWorker()
    const already = start(active, [])
    events.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(ok.register).not.toHaveBeenCalled()
    expect(ok.onInstalled).not.toHaveBeenCalled()
    expect(already.register).not.toHaveBeenCalled()
  })

  it('an install that failed before it was watched is retried', async () => {
    const { register } = start(new FakeRegistration(null), [() => new FakeRegistration(new FakeWorker())])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(register).toHaveBeenCalledTimes(1)
  })

  it('a registration that failed itself (null) is retried the same way', async () => {
    const next = new FakeRegistration(new FakeWorker())
    const { register, onInstalled } = start(null, [() => next])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(register).toHaveBeenCalledTimes(1)
    next.succeed()
    expect(onInstalled).toHaveBeenCalledTimes(1)
  })

  it('stop cancels a waiting attempt', async () => {
    const first = new FakeRegistration(new FakeWorker())
    const { register, stop } = start(first, [])
    first.fail()
    stop()
    events.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(register).not.toHaveBeenCalled()
  })
})
