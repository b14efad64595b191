/**
 * The tab's router: a route table, the History API and one reactive current route. What the app
 * needs of a router and nothing more — path params, query, hash, named routes, lazy route
 * components, one guard, the document title, scroll positions — in about 2 kB, where vue-router
 * cost the tracking page's first visit 9.5 kB gzip (docs/decisions.md, "First visit on a phone").
 *
 * It never writes to `history` while the page is being hidden (vue-router stores the scroll
 * position with `replaceState` on pagehide, which keeps a page out of the back/forward cache):
 * scroll positions live in memory, keyed by the history entry, and are written when leaving it.
 */
import { inject, markRaw, shallowReactive, type App, type Component, type InjectionKey } from 'vue'

interface RouteMeta {
  title?: string
  requiresAdmin?: boolean
}

type Lazy = () => Promise<{ default: Component }>

export interface RouteRecord {
  name: string
  /** `/track/:orderId` (a param matches one path segment), or `*` for every path nothing else matched. */
  path: string
  component: Component | Lazy
  meta?: RouteMeta
}

export interface Route {
  name: string
  path: string
  params: Record<string, string>
  /** One value per key (the last, should a key repeat). */
  query: Record<string, string>
  /** With its `#`, or empty. */
  hash: string
  fullPath: string
  meta: RouteMeta
}

/** Where to go: a path (with query and hash), or a named route with its params. */
export type Location =
  string | { name?: string; params?: Record<string, string>; query?: Record<string, string | null | undefined>; hash?: string }

/** A guard's answer: go on, or go somewhere else instead. */
type GuardResult = true | Location

export interface Router {
  /** The current route, reactive: read its fields where they are used. */
  readonly currentRoute: Route
  push(to: Location): Promise<void>
  replace(to: Location): Promise<void>
  resolve(to: Location): Route
  /** Resolves once the first navigation has made its route current (or has failed). */
  isReady(): Promise<void>
  install(app: App): void
}

interface Matcher {
  record: RouteRecord
  pattern: RegExp
  keys: string[]
}

const ROUTER_KEY: InjectionKey<Router> = Symbol('router')
/** The current route's component, resolved: what RouterView renders. */
export const VIEW_KEY: InjectionKey<{ component: Component | null }> = Symbol('routerView')

function compile(record: RouteRecord): Matcher {
  if (record.path === '*') return { record, pattern: /^/, keys: [] }
  const keys: string[] = []
  const source = record.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      keys.push(segment.slice(1))
      return '([^/]+)'
    })
    .join('/')
  return { record, pattern: new RegExp(`^${source}/?$`), keys }
}

/**
 * A path segment percent-decoded; a malformed escape (a link cut or mangled in a message,
 * `/track/%E0%A4`) stays as typed, so the route still renders and its view can say the link is
 * not valid instead of the page staying blank.
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function queryString(query: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, value)
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** The key this router gives each history entry it creates, so a scroll position can be kept per entry. */
let entrySerial = 0
const newEntryKey = (): string => `${Date.now().toString(36)}-${++entrySerial}`
const entryKeyOf = (state: unknown): string | null =>
  typeof state === 'object' && state !== null && typeof (state as { orderlineEntry?: unknown }).orderlineEntry === 'string'
    ? (state as { orderlineEntry: string }).orderlineEntry
    : null

export function createRouter(options: {
  routes: RouteRecord[]
  /** Runs before every navigation, the first included: `true` goes on, a location redirects. */
  beforeEach?: (to: Route) => GuardResult
  /** Runs once the new route is current. */
  afterEach?: (to: Route) => void
}): Router {
  const matchers = options.routes.map(compile)
  const loaded = new Map<RouteRecord, Component>()
  const scrollPositions = new Map<string, { left: number; top: number }>()
  const current = shallowReactive<Route>({ name: '', path: '/', params: {}, query: {}, hash: '', fullPath: '/', meta: {} })
  /** The component of the current route, resolved (RouterView renders it). */
  const view = shallowReactive<{ component: Component | null }>({ component: null })
  let currentEntry = entryKeyOf(history.state) ?? newEntryKey()
  let pending = 0
  /** No navigation has completed yet: the page is at its top and has no entry being left. */
  let initial = true
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  function match(path: string): { record: RouteRecord; params: Record<string, string> } {
    for (const { record, pattern, keys } of matchers) {
      const found = pattern.exec(path)
      if (!found) continue
      const params: Record<string, string> = {}
      keys.forEach((key, index) => {
        params[key] = decodeSegment(found[index + 1] ?? '')
      })
      return { record, params }
    }
    throw new Error(`No route matches ${path}: add a '*' route`)
  }

  function resolve(to: Location): Route {
    let url: URL
    if (typeof to === 'string') {
      url = new URL(to, location.origin)
    } else {
      const named = to.name === undefined ? null : options.routes.find((record) => record.name === to.name)
      if (to.name !== undefined && !named) throw new Error(`No route named ${to.name}`)
      const path = named ? named.path.replace(/:([^/]+)/g, (_, key: string) => encodeURIComponent(to.params?.[key] ?? '')) : current.path
      url = new URL(`${path}${queryString(to.query ?? {})}${to.hash ?? ''}`, location.origin)
    }
    // Only this app's own paths: a location leading off the origin is a bug, never a navigation.
    if (url.origin !== location.origin) throw new Error(`Not a path of this app: ${String(to)}`)
    const { record, params } = match(url.pathname)
    const query: Record<string, string> = {}
    url.searchParams.forEach((value, key) => {
      query[key] = value
    })
    return {
      name: record.name,
      path: url.pathname,
      params,
      query,
      hash: url.hash,
      fullPath: `${url.pathname}${url.search}${url.hash}`,
      meta: record.meta ?? {},
    }
  }

  async function componentOf(record: RouteRecord): Promise<Component> {
    const known = loaded.get(record)
    if (known) return known
    // A route's component is a compiled SFC (an object); a function is the loader of a lazy one.
    const component = typeof record.component === 'function' ? (await (record.component as Lazy)()).default : record.component
    loaded.set(record, markRaw(component))
    return component
  }

  /**
   * Goes to `to`: the guard may redirect (at most a few times), the route's component is loaded,
   * then the URL, the current route and the scroll position change together. `mode` 'pop' is a
   * back/forward the browser already applied to the URL.
   */
  async function navigate(to: Location, mode: 'push' | 'replace' | 'pop', popped?: string | null): Promise<void> {
    const ticket = ++pending
    let route = resolve(to)
    let redirected = false
    for (let redirects = 0; options.beforeEach; redirects += 1) {
      const verdict = options.beforeEach(route)
      if (verdict === true) break
      if (redirects === 5) throw new Error(`Too many redirects from ${route.fullPath}`)
      route = resolve(verdict)
      redirected = true
    }
    const component = await componentOf(match(route.path).record)
    // A later navigation started while this one was loading its view: that one wins.
    if (ticket !== pending) return
    // The first navigation leaves no entry and the page has not been laid out yet: reading the
    // scroll position (or scrolling) there would force a layout in the start-up's task for nothing.
    const first = initial
    initial = false
    // Where the reader was on the entry being left (the browser has not scrolled: restoration is ours).
    if (!first) scrollPositions.set(currentEntry, { left: window.scrollX, top: window.scrollY })
    const previousPath = current.path
    if (mode === 'pop') currentEntry = popped ?? newEntryKey()
    if (mode === 'push' && route.fullPath !== current.fullPath) {
      currentEntry = newEntryKey()
      history.pushState({ orderlineEntry: currentEntry }, '', route.fullPath)
    } else if (mode !== 'pop' || redirected || popped === null) {
      // The same entry, its URL (a redirect, a new query) and its key (an entry the browser made:
      // a typed hash) written now, while the page is shown.
      history.replaceState({ ...(history.state as object | null), orderlineEntry: currentEntry }, '', route.fullPath)
    }
    view.component = component
    Object.assign(current, route)
    options.afterEach?.(route)
    if (first) markReady()
    // Back/forward returns to where the reader was; a new page starts at the top; a change of the
    // query alone (a filter, a search) keeps the reader's place. After the new view has rendered.
    const saved = mode === 'pop' && !redirected ? scrollPositions.get(currentEntry) : undefined
    if (!first && (mode === 'pop' || route.path !== previousPath))
      requestAnimationFrame(() => window.scrollTo(saved ?? { left: 0, top: 0 }))
  }

  const router: Router = {
    currentRoute: current,
    push: (to) => navigate(to, 'push'),
    replace: (to) => navigate(to, 'replace'),
    resolve,
    isReady: () => ready,
    install(app) {
      app.provide(ROUTER_KEY, router)
      app.provide(VIEW_KEY, view)
      // Scroll positions are this router's to restore: the browser's own would jump before the view has rendered.
      history.scrollRestoration = 'manual'
      addEventListener('popstate', (event) => {
        void navigate(`${location.pathname}${location.search}${location.hash}`, 'pop', entryKeyOf(event.state)).catch(reportFailure)
      })
      void navigate(`${location.pathname}${location.search}${location.hash}`, 'replace').catch(reportFailure).finally(markReady)
    },
  }
  return router
}

/** A view that failed to load (offline before it was ever cached, a build replaced meanwhile): said in the console, the page stays. */
function reportFailure(error: unknown): void {
  console.error('[router] navigation failed', error)
}

export function useRouter(): Router {
  const router = inject(ROUTER_KEY)
  if (!router) throw new Error('useRouter() needs app.use(router)')
  return router
}

/** The current route (reactive: read its fields where they are used, in a computed or the template). */
export const useRoute = (): Route => useRouter().currentRoute
