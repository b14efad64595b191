/**
 * The tracking page's first render of an order (src/app/views/TrackOrderView.vue): the header of
 * the order (number, status, estimate) renders at once, the progress and items cards a task
 * later, so on a slow phone the whole card is not one long task. The live order is a fixed
 * answer here; loading it is tested with the stores and in the browser.
 */
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick, ref, shallowRef } from 'vue'
import { createRouter, RouterView } from '../../src/app/routing'
import TrackOrderView from '../../src/app/views/TrackOrderView.vue'
import { makeOrder } from './support/fixtures'

vi.mock('../../src/app/composables/useLiveOrder', async () => {
  const { makeOrder } = await import('./support/fixtures')
  return {
    useLiveOrder: () => ({
      order: shallowRef(makeOrder({ version: 2 })),
      loading: ref(false),
      error: shallowRef(null),
      ack: shallowRef(null),
      reload: () => Promise.resolve(),
    }),
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
})

describe('the tracking page', () => {
  it('renders the order header in the first task and the progress and items cards in the next', async () => {
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
})
