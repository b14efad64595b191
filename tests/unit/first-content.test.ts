/**
 * "The first screen's content is on screen" (src/app/firstContent.ts): after the route's view has
 * rendered and painted, or after a view holding it has shown its content, and never later than
 * the start-up limit, so a slow answer does not keep a page from going live.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'

let firstContent: typeof import('../../src/app/firstContent')

beforeEach(async () => {
  vi.useFakeTimers()
  vi.resetModules()
  firstContent = await import('../../src/app/firstContent')
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the first content', () => {
  it('is shown after the paint that follows the view, not before', async () => {
    firstContent.markViewRendered()
    expect(firstContent.firstContentDone.value).toBe(false)
    await vi.advanceTimersByTimeAsync(100)
    expect(firstContent.firstContentDone.value).toBe(true)
  })

  it('waits for every view holding it, released once each', async () => {
    const first = firstContent.holdFirstContent()
    const second = firstContent.holdFirstContent()
    firstContent.markViewRendered()
    await vi.advanceTimersByTimeAsync(1000)
    first()
    first()
    await vi.advanceTimersByTimeAsync(1000)
    expect(firstContent.firstContentDone.value).toBe(false)
    second()
    await vi.advanceTimersByTimeAsync(300)
    expect(firstContent.firstContentDone.value).toBe(true)
  })

  it('is reached at the start-up limit even when the content never comes', async () => {
    firstContent.holdFirstContent()
    firstContent.markViewRendered()
    const ran = vi.fn()
    void firstContent.firstContentShown.then(ran)
    await vi.advanceTimersByTimeAsync(firstContent.FIRST_CONTENT_LIMIT_MS - 1)
    expect(ran).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(ran).toHaveBeenCalledOnce()
  })

  it('runs work a task after it, unless the scope that asked has ended', async () => {
    const kept = vi.fn()
    const dropped = vi.fn()
    const scope = effectScope()
    effectScope().run(() => firstContent.afterFirstContent(kept))
    scope.run(() => firstContent.afterFirstContent(dropped))
    scope.stop()
    firstContent.markViewRendered()
    await vi.advanceTimersByTimeAsync(300)
    expect(kept).toHaveBeenCalledOnce()
    expect(dropped).not.toHaveBeenCalled()
  })
})
