/**
 * Layout helpers for the browser tests: element boxes, and a way to show the `connecting` state
 * for a moment (the real one lasts only until the first socket or poll answer, too short to
 * measure or photograph reliably).
 */
import type { Page } from '@playwright/test'

interface PiniaLike {
  _s: Map<string, { state: string; $patch?: unknown }>
}

/**
 * Sets the connection store's state directly (null puts back the hub's last word). Goes through
 * the app instance Vue attaches to its mount element, present in production builds too.
 */
export async function holdConnectionState(page: Page, state: 'connecting' | null): Promise<void> {
  await page.evaluate((next) => {
    const app = (document.querySelector('#app') as unknown as { __vue_app__?: { config: { globalProperties: { $pinia?: PiniaLike } } } })
      .__vue_app__
    const store = app?.config.globalProperties.$pinia?._s.get('connection') as unknown as
      { state: string; status: { state: string } | null } | undefined
    if (!store) throw new Error('connection store not found')
    store.state = next ?? store.status?.state ?? 'live'
  }, state)
}

/** The bounding box (CSS px, document coordinates) of the first element matching `selector`. */
export async function documentBox(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  return page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const rect = element.getBoundingClientRect()
      return { x: rect.x + window.scrollX, y: rect.y + window.scrollY, width: rect.width, height: rect.height }
    })
}
