/* eslint-disable vue/one-component-per-file -- small test components, one per route */
/**
 * The tab's router (src/app/routing): what the app's views rely on — params, query, hash, named
 * routes, the admin guard, lazy views, the title, scroll positions — and that it never writes to
 * history while the page is being hidden (which would keep the page out of the back/forward cache).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick } from 'vue'
import { RouterLink, RouterView, createRouter, useRoute, type RouteRecord } from '../../src/app/routing'

const Home = defineComponent({ name: 'Home', render: () => h('p', 'home') })
const TrackPage = defineComponent({
  name: 'TrackPage',
  setup() {
    const route = useRoute()
    return () => h('p', { id: 'track' }, `${route.params.orderId}|${route.hash}`)
  },
})
const NotFound = defineComponent({ name: 'NotFound', render: () => h('p', 'not found') })

let admin = false
let adminLoads = 0
const Admin = defineComponent({ name: 'Admin', render: () => h('p', 'admin') })

function routes(): RouteRecord[] {
  return [
    { path: '/', name: 'shop', component: Home, meta: { title: 'Shop' } },
    { path: '/track/:orderId', name: 'track', component: TrackPage, meta: { title: 'Track your order' } },
    { path: '/login', name: 'login', component: Home, meta: { title: 'Sign in' } },
    {
      path: '/admin',
      name: 'admin-board',
      component: async () => {
        adminLoads += 1
        await new Promise((resolve) => setTimeout(resolve, 5))
        return { default: Admin }
      },
      meta: { title: 'Order board', requiresAdmin: true },
    },
    { path: '*', name: 'not-found', component: NotFound },
  ]
}

function start(path = '/', extra?: () => ReturnType<typeof h>[]) {
  history.replaceState(null, '', path)
  const router = createRouter({
    routes: routes(),
    beforeEach: (to) => (to.meta.requiresAdmin && !admin ? { name: 'login', query: { redirect: to.fullPath } } : true),
    afterEach: (to) => {
      document.title = to.meta.title ?? 'Orderline'
    },
  })
  const app = createApp({ render: () => [h(RouterView), ...(extra?.() ?? [])] })
  app.use(router)
  const root = document.createElement('div')
  document.body.append(root)
  app.mount(root)
  return { router, root, unmount: () => app.unmount() }
}

/** Lets pending navigations (guard, lazy view, render) finish. */
const settle = async () => {
  for (let i = 0; i < 5; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    await nextTick()
  }
}

beforeEach(() => {
  admin = false
  adminLoads = 0
})
afterEach(() => {
  document.body.innerHTML = ''
  vi.restoreAllMocks()
})

describe('resolving a location', () => {
  it('reads params (decoded), query and hash, and builds named routes with encoded params', () => {
    const { router, unmount } = start()
    const route = router.resolve('/track/ord_1%2Db?x=1&x=2&y=z#t=secret')
    expect(route).toMatchObject({ name: 'track', params: { orderId: 'ord_1-b' }, query: { x: '2', y: 'z' }, hash: '#t=secret' })
    expect(route.fullPath).toBe('/track/ord_1%2Db?x=1&x=2&y=z#t=secret')
    expect(router.resolve({ name: 'track', params: { orderId: 'a b/c' }, hash: '#t=1' }).fullPath).toBe('/track/a%20b%2Fc#t=1')
    expect(router.resolve('/nowhere/at/all').name).toBe('not-found')
    unmount()
  })

  it('changes only the query when no route is named, and drops empty values', async () => {
    const { router, unmount } = start('/track/a1?status=placed')
    await settle()
    expect(router.resolve({ query: { status: 'confirmed', q: undefined } }).fullPath).toBe('/track/a1?status=confirmed')
    unmount()
  })

  it('keeps a param with a malformed escape as typed, so its view still renders', () => {
    const { router, unmount } = start()
    expect(router.resolve('/track/%E0%A4').params.orderId).toBe('%E0%A4')
    expect(router.resolve('/track/a%20b').params.orderId).toBe('a b')
    unmount()
  })

  it('refuses a location off this origin', () => {
    const { router, unmount } = start()
    expect(() => router.resolve('//evil.example/admin')).toThrow(/Not a path of this app/)
    expect(() => router.resolve('https://evil.example/')).toThrow(/Not a path of this app/)
    unmount()
  })
})

describe('navigating', () => {
  it('renders the first route, then pushes a history entry, updates the view and the title', async () => {
    const { router, root, unmount } = start('/')
    await settle()
    expect(root.textContent).toBe('home')
    const pushState = vi.spyOn(history, 'pushState')
    await router.push({ name: 'track', params: { orderId: 'o1' }, hash: '#t=tok' })
    await nextTick()
    expect(pushState).toHaveBeenCalledTimes(1)
    expect(location.pathname + location.hash).toBe('/track/o1#t=tok')
    expect(root.querySelector('#track')?.textContent).toBe('o1|#t=tok')
    expect(document.title).toBe('Track your order')
    // The same route with other params: the view is reused and reads the new params.
    await router.push('/track/o2')
    await nextTick()
    expect(root.querySelector('#track')?.textContent).toBe('o2|')
    unmount()
  })

  it('sends a signed-out visitor of an admin page to the login with the way back, and loads the lazy view once', async () => {
    const { router, root, unmount } = start('/admin?status=placed')
    await settle()
    expect(router.currentRoute.name).toBe('login')
    expect(router.currentRoute.query.redirect).toBe('/admin?status=placed')
    expect(adminLoads).toBe(0)
    admin = true
    await router.replace('/admin')
    await router.push('/')
    await router.push('/admin')
    await nextTick()
    expect(root.textContent).toBe('admin')
    expect(adminLoads).toBe(1)
    unmount()
  })

  it('is ready once the first navigation has loaded its lazy view and made its route current', async () => {
    admin = true
    const { router, root, unmount } = start('/admin')
    let ready = false
    void router.isReady().then(() => (ready = true))
    await Promise.resolve()
    expect(ready).toBe(false)
    await router.isReady()
    expect(router.currentRoute.name).toBe('admin-board')
    await nextTick()
    expect(root.textContent).toBe('admin')
    unmount()
  })

  it('lets the last navigation win while an earlier one is still loading its view', async () => {
    admin = true
    const { router, root, unmount } = start('/')
    await settle()
    const slow = router.push('/admin')
    await router.push('/track/last')
    await slow
    await nextTick()
    expect(router.currentRoute.path).toBe('/track/last')
    expect(root.querySelector('#track')?.textContent).toBe('last|')
    unmount()
  })

  it('starts a new page at the top, keeps the place when only the query changes, and restores it on back', async () => {
    const scrollTo = vi.spyOn(window, 'scrollTo').mockImplementation(() => {})
    const { router, unmount } = start('/')
    await settle()
    await router.push('/track/a')
    await settle()
    Object.defineProperty(window, 'scrollY', { value: 640, configurable: true })
    scrollTo.mockClear()
    await router.replace({ query: { filter: 'x' } })
    await settle()
    expect(scrollTo).not.toHaveBeenCalled()
    await router.push('/track/b')
    await settle()
    expect(scrollTo).toHaveBeenLastCalledWith({ left: 0, top: 0 })
    Object.defineProperty(window, 'scrollY', { value: 0, configurable: true })
    history.back()
    await settle()
    expect(router.currentRoute.path).toBe('/track/a')
    expect(scrollTo).toHaveBeenLastCalledWith({ left: 0, top: 640 })
    unmount()
  })

  it('neither reads the scroll position nor scrolls on the first navigation (that would force a layout at start-up)', async () => {
    const scrollTo = vi.spyOn(window, 'scrollTo').mockImplementation(() => {})
    let reads = 0
    for (const key of ['scrollX', 'scrollY'] as const)
      Object.defineProperty(window, key, {
        configurable: true,
        get: () => {
          reads += 1
          return 0
        },
      })
    const { router, unmount } = start('/track/first')
    await settle()
    expect(router.currentRoute.path).toBe('/track/first')
    expect(reads).toBe(0)
    expect(scrollTo).not.toHaveBeenCalled()
    // The next one leaves an entry: its place is kept, and a new page starts at the top.
    await router.push('/')
    await settle()
    expect(reads).toBeGreaterThan(0)
    expect(scrollTo).toHaveBeenLastCalledWith({ left: 0, top: 0 })
    for (const key of ['scrollX', 'scrollY'] as const) Object.defineProperty(window, key, { value: 0, configurable: true, writable: true })
    unmount()
  })

  it('writes nothing to history while the page is being hidden (the back/forward cache keeps it)', async () => {
    const { router, unmount } = start('/track/a')
    await settle()
    await router.push('/track/b')
    const replaceState = vi.spyOn(history, 'replaceState')
    const pushState = vi.spyOn(history, 'pushState')
    window.dispatchEvent(new Event('pagehide'))
    document.dispatchEvent(new Event('visibilitychange'))
    window.dispatchEvent(new Event('beforeunload'))
    await settle()
    expect(replaceState).not.toHaveBeenCalled()
    expect(pushState).not.toHaveBeenCalled()
    unmount()
  })
})

describe('RouterLink', () => {
  it('is a real link, marked when current, and a plain click navigates inside the app', async () => {
    const { router, root, unmount } = start('/track/a', () => [
      h(RouterLink, { to: '/track/a' }, () => 'this order'),
      h(RouterLink, { to: '/' }, () => 'shop'),
      h(RouterLink, { to: { name: 'track', params: { orderId: 'b' } } }, () => 'order b'),
    ])
    await settle()
    const [self, shop, other] = [...root.querySelectorAll('a')]
    expect(self?.getAttribute('href')).toBe('/track/a')
    expect(self?.getAttribute('aria-current')).toBe('page')
    expect(self?.classList.contains('router-link-exact-active')).toBe(true)
    expect(shop?.getAttribute('aria-current')).toBeNull()
    expect(other?.getAttribute('href')).toBe('/track/b')

    // A modified click is the browser's (new tab): not prevented, no navigation here.
    const modified = new MouseEvent('click', { bubbles: true, cancelable: true, ctrlKey: true })
    other?.dispatchEvent(modified)
    expect(modified.defaultPrevented).toBe(false)
    await settle()
    expect(router.currentRoute.path).toBe('/track/a')

    const plain = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 })
    other?.dispatchEvent(plain)
    expect(plain.defaultPrevented).toBe(true)
    await settle()
    expect(router.currentRoute.path).toBe('/track/b')
    expect(other?.getAttribute('aria-current')).toBe('page')
    expect(self?.getAttribute('aria-current')).toBeNull()
    unmount()
  })
})
