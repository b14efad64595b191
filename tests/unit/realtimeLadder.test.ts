import { afterEach, describe, expect, it, vi } from 'vitest'
import { forcedHubMode, HUB_MODE_STORAGE_KEY, hubLadder } from '../../src/app/realtime/hubLadder'

function stubEverything() {
  vi.stubGlobal('SharedWorker', class {})
  vi.stubGlobal('BroadcastChannel', class {})
  Object.defineProperty(navigator, 'locks', { value: {}, configurable: true })
}

afterEach(() => {
  vi.unstubAllGlobals()
  Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
  localStorage.clear()
})

describe('the fallback ladder', () => {
  it('SharedWorker → leader → direct when everything is available', () => {
    stubEverything()
    expect(hubLadder(null)).toEqual(['shared-worker', 'leader', 'direct'])
  })

  it('skips SharedWorker when it is missing, and leader mode when Web Locks are missing too', () => {
    vi.stubGlobal('SharedWorker', undefined)
    vi.stubGlobal('BroadcastChannel', class {})
    Object.defineProperty(navigator, 'locks', { value: {}, configurable: true })
    expect(hubLadder(null)).toEqual(['leader', 'direct'])
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
    expect(hubLadder(null)).toEqual(['direct'])
  })

  it("a forced mode (localStorage 'orderline.hubMode') starts the ladder there; junk is ignored", () => {
    stubEverything()
    localStorage.setItem(HUB_MODE_STORAGE_KEY, 'leader')
    expect(forcedHubMode()).toBe('leader')
    expect(hubLadder()).toEqual(['leader', 'direct'])
    localStorage.setItem(HUB_MODE_STORAGE_KEY, 'direct')
    expect(hubLadder()).toEqual(['direct'])
    localStorage.setItem(HUB_MODE_STORAGE_KEY, 'quantum')
    expect(forcedHubMode()).toBeNull()
    expect(hubLadder()).toEqual(['shared-worker', 'leader', 'direct'])
  })
})
