/**
 * The app's first render (src/app/App.vue), in three tasks: the header in the mount's, with the
 * static shell's placeholder card (index.html) kept where the view goes; the route's view in the
 * next; the toast area and the update prompt, which the first screen never needs, a task after
 * that, so their chunks' loading is no part of either.
 */
import { createPinia } from 'pinia'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, type Component } from 'vue'
import { createRouter } from '../../src/app/routing'

vi.mock('../../src/app/pwa/UpdatePrompt.vue', async () => {
  const { h } = await import('vue')
  return { __esModule: true, default: { render: () => h('p', { id: 'update-prompt' }) } }
})
vi.mock('../../src/app/components/ToastArea.vue', async () => {
  const { h } = await import('vue')
  return { __esModule: true, default: { render: () => h('p', { id: 'toast-area' }) } }
})

const TrackView = defineComponent({ name: 'TrackView', render: () => h('p', { id: 'view' }, 'the order') })

/** Only the microtasks queued so far and those they queue: no timer runs in between. */
const microtasks = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve()
}
const settle = async () => {
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0))
    await nextTick()
  }
}

const SHELL = `<div class="boot-shell"><header class="app-header"></header><main class="app-main">
  <div class="boot-shell__card card" aria-hidden="true"><span class="boot-shell__line"></span></div></main></div>`

let App: Component
// Loaded once up front: a request for them then resolves within microtasks, so a request made in
// the mount's task would show them before any timer runs. App.vue reads the shell's card when it
// loads, as in the browser, where index.html's shell is parsed before the app's script runs.
beforeAll(async () => {
  await import('../../src/app/pwa/UpdatePrompt.vue')
  await import('../../src/app/components/ToastArea.vue')
  document.body.innerHTML = `<div id="app">${SHELL}</div>`
  App = (await import('../../src/app/App.vue')).default
})

afterEach(() => {
  document.body.innerHTML = ''
})

describe('the first render', () => {
  it('renders the header at mount with the shell card in place, the view a task later, then the toast area and the update prompt', async () => {
    history.replaceState(null, '', '/track/ord_1')
    const router = createRouter({
      routes: [
        { path: '/track/:orderId', name: 'track', component: TrackView },
        { path: '*', name: 'not-found', component: TrackView },
      ],
    })
    const app = createApp(App)
    app.use(createPinia())
    app.use(router)
    const root = document.createElement('div')
    document.body.append(root)
    await nextTick()
    app.mount(root)
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

    await settle()
    expect(root.querySelector('#toast-area')).not.toBeNull()
    expect(root.querySelector('#update-prompt')).not.toBeNull()
    app.unmount()
  })
})
