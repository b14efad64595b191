/**
 * The app's first render (src/app/App.vue), in steps: the header in the mount's task, with the
 * static shell's placeholder card (index.html) kept where the view goes; the route's view in the
 * next; the toast area and the update prompt, which the first screen never needs, once the first
 * screen's content is on screen (src/app/firstContent.ts: after the view's next paint, or, for a
 * view whose content is still on its way, after it has shown it), so their chunks' loading is no
 * part of either.
 */
import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, type Component } from 'vue'

vi.mock('../../src/app/pwa/UpdatePrompt.vue', async () => {
  const { h } = await import('vue')
  return { __esModule: true, default: { render: () => h('p', { id: 'update-prompt' }) } }
})
vi.mock('../../src/app/components/ToastArea.vue', async () => {
  const { h } = await import('vue')
  return { __esModule: true, default: { render: () => h('p', { id: 'toast-area' }) } }
})

/** Only the microtasks queued so far and those they queue: no timer runs in between. */
const microtasks = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve()
}
/** A few tasks and frames: long enough for the paint after a render, far below the start-up limit. */
const afterPaint = async () => {
  for (let i = 0; i < 4; i += 1) {
    await new Promise((resolve) => requestAnimationFrame(resolve))
    await new Promise((resolve) => setTimeout(resolve, 0))
    await nextTick()
  }
}

const SHELL = `<div class="boot-shell"><header class="app-header"></header><main class="app-main">
  <div class="boot-shell__card card" aria-hidden="true"><span class="boot-shell__line"></span></div></main></div>`

let App: Component
let routing: typeof import('../../src/app/routing')
let firstContent: typeof import('../../src/app/firstContent')
// Fresh modules for each test (the first content is shown once per page). The async components
// load up front: a request for them then resolves within microtasks, so a request made too early
// would show them before any timer runs. App.vue reads the shell's card when it loads, as in the
// browser, where index.html's shell is parsed before the app's script runs.
beforeEach(async () => {
  vi.resetModules()
  await import('../../src/app/pwa/UpdatePrompt.vue')
  await import('../../src/app/components/ToastArea.vue')
  document.body.innerHTML = `<div id="app">${SHELL}</div>`
  firstContent = await import('../../src/app/firstContent')
  routing = await import('../../src/app/routing')
  App = (await import('../../src/app/App.vue')).default
})

afterEach(() => {
  document.body.innerHTML = ''
})

async function mountApp(view: Component): Promise<{ root: HTMLElement; unmount: () => void }> {
  history.replaceState(null, '', '/track/ord_1')
  const router = routing.createRouter({
    routes: [
      { path: '/track/:orderId', name: 'track', component: view },
      { path: '*', name: 'not-found', component: view },
    ],
  })
  const app = createApp(App)
  app.use(createPinia())
  app.use(router)
  const root = document.createElement('div')
  document.body.append(root)
  await nextTick()
  app.mount(root)
  return { root, unmount: () => app.unmount() }
}

describe('the first render', () => {
  it('renders the header at mount with the shell card in place, the view a task later, then the toast area and the update prompt', async () => {
    const TrackView: Component = { name: 'TrackView', render: () => h('p', { id: 'view' }, 'the order') }
    const { root, unmount } = await mountApp(TrackView)
    await microtasks()
    expect(root.querySelector('header.app-header')).not.toBeNull()
    expect(root.querySelector('main .boot-shell__card')).not.toBeNull()
    expect(root.querySelector('#view')).toBeNull()
    expect(root.querySelector('#toast-area')).toBeNull()

    await new Promise((resolve) => setTimeout(resolve, 0))
    await microtasks()
    expect(root.querySelector('#view')?.textContent).toBe('the order')
    expect(root.querySelector('main .boot-shell__card')).toBeNull()
    expect(root.querySelector('#toast-area')).toBeNull()
    expect(root.querySelector('#update-prompt')).toBeNull()
    expect(firstContent.firstContentDone.value).toBe(false)

    await afterPaint()
    expect(firstContent.firstContentDone.value).toBe(true)
    expect(root.querySelector('#toast-area')).not.toBeNull()
    expect(root.querySelector('#update-prompt')).not.toBeNull()
    unmount()
  })

  it('waits for a view whose content is on its way to show it before the rest starts', async () => {
    let release = (): void => undefined
    const TrackView: Component = {
      name: 'TrackView',
      setup() {
        release = firstContent.holdFirstContent()
        return () => h('p', { id: 'view' }, 'Loading your order…')
      },
    }
    const { root, unmount } = await mountApp(TrackView)
    await new Promise((resolve) => setTimeout(resolve, 0))
    await afterPaint()
    expect(root.querySelector('#view')).not.toBeNull()
    expect(firstContent.firstContentDone.value).toBe(false)
    expect(root.querySelector('#toast-area')).toBeNull()

    release()
    await afterPaint()
    expect(firstContent.firstContentDone.value).toBe(true)
    expect(root.querySelector('#toast-area')).not.toBeNull()
    unmount()
  })
})
