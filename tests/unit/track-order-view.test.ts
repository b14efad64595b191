/**
 * The tracking page's first render of an order (src/app/views/TrackOrderView.vue): the header of
 * the order (number, status, estimate) renders at once, the progress and items cards a task
 * later, so on a slow phone the whole card is not one long task. The live order is a fixed
 * answer here; loading it is tested with the stores and in the browser.
 */
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick, ref } from 'vue'
import { createRouter, RouterView } from '../../src/app/routing'
import TrackOrderView from '../../src/app/views/TrackOrderView.vue'
import { firstContentDone, markViewRendered } from '../../src/app/firstContent'
import { makeOrder } from './support/fixtures'

// The live order's answer, per test: shown at once unless a test says it is still loading.
const live = vi.hoisted(() => ({ pending: false, arrive: (): void => undefined }))
vi.mock('../../src/app/composables/useLiveOrder', async () => {
  const { makeOrder } = await import('./support/fixtures')
  const { ref, shallowRef } = await import('vue')
  return {
    useLiveOrder: () => {
      const order = shallowRef(live.pending ? null : makeOrder({ version: 2 }))
      const loading = ref(live.pending)
      live.arrive = () => {
        order.value = makeOrder({ version: 2 })
        loading.value = false
      }
      return { order, loading, error: shallowRef(null), ack: shallowRef(null), reload: () => Promise.resolve() }
    },
  }
})
vi.mock('../../src/app/composables/useOrderNotify', () => ({
  useOrderNotify: () => ({
    isSupported: true,
    state: ref('off'),
    detail: ref(''),
    enabled: ref(false),
    enable: () => Promise.resolve(),
    disable: () => Promise.resolve(),
    show: () => Promise.resolve('shown'),
  }),
}))

const microtasks = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve()
}

afterEach(() => {
  document.body.innerHTML = ''
  live.pending = false
})

/** The tracking page of a fixture order, mounted through the router as the app does. */
async function mountTrackingPage() {
  const order = makeOrder({ version: 2 })
  history.replaceState(null, '', `/track/${order.id}#t=token-of-the-link`)
  const router = createRouter({ routes: [{ path: '/track/:orderId', name: 'track', component: TrackOrderView }] })
  const app = createApp(RouterView)
  app.use(createPinia())
  app.use(router)
  const root = document.createElement('div')
  document.body.append(root)
  await microtasks()
  app.mount(root)
  await microtasks()
  return { order, app, root }
}

describe('the tracking page', () => {
  it('renders the order header in the first task and the progress and items cards in the next', async () => {
    const { order, app, root } = await mountTrackingPage()
    expect(root.querySelector('h1')?.textContent).toBe(`Order #${order.number}`)
    expect(root.querySelector('[data-testid="order-status"]')?.textContent).toContain('Confirmed')
    expect(root.querySelector('.timeline')).toBeNull()
    expect(root.querySelector('#items-heading')).toBeNull()

    await new Promise((resolve) => setTimeout(resolve, 0))
    await nextTick()
    expect(root.querySelectorAll('.timeline__step').length).toBe(5)
    expect(root.querySelector('#items-heading')).not.toBeNull()
    app.unmount()
  })

  it("holds the app's first content until the order is on screen", async () => {
    live.pending = true
    const { order, app, root } = await mountTrackingPage()
    markViewRendered()
    // Frames and tasks pass (the paint after the view), but its content is the order: not yet.
    for (let i = 0; i < 4; i += 1) await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(root.textContent).toContain('Loading your order')
    expect(firstContentDone.value).toBe(false)

    live.arrive()
    await vi.waitFor(() => expect(firstContentDone.value).toBe(true), { timeout: 1500 })
    expect(root.querySelector('h1')?.textContent).toBe(`Order #${order.number}`)
    app.unmount()
  })
})
