/**
 * The app's first render (src/app/App.vue): the header and the route's view render in the mount's
 * task; the toast area and the update prompt, which the first screen never needs, are requested
 * a task later, so their chunks' loading is no part of the mount's task.
 */
import { createPinia } from 'pinia'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick } from 'vue'
import App from '../../src/app/App.vue'
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

// Loaded once up front: a request for them then resolves within microtasks, so a request made in
// the mount's task would show them before any timer runs.
beforeAll(async () => {
  await import('../../src/app/pwa/UpdatePrompt.vue')
  await import('../../src/app/components/ToastArea.vue')
})

afterEach(() => {
  document.body.innerHTML = ''
})

describe('the first render', () => {
  it('renders the header and the view at mount and requests the toast area and the update prompt a task later', async () => {
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
    expect(root.querySelector('#view')?.textContent).toBe('the order')
    expect(root.querySelector('#toast-area')).toBeNull()
    expect(root.querySelector('#update-prompt')).toBeNull()

    await settle()
    expect(root.querySelector('#toast-area')).not.toBeNull()
    expect(root.querySelector('#update-prompt')).not.toBeNull()
    app.unmount()
  })
})
