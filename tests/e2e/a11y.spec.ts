/**
 * Admin UI: responsive and accessible. axe-core finds no serious or critical violation on the
 * storefront, tracking, login, board, order detail and dashboard pages, at 1280 px in the light
 * scheme and at 360 px in the dark scheme with reduced motion; screenshots of every page at both
 * widths are kept as test artifacts.
 */
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from '@playwright/test'
import type { Order } from '../../src/protocol'
import { signInContext } from './admin-support'
import { placeOrder, trackingPath } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { expect, test } from './fixtures'

let order: Order
let trackingToken: string
test.use({
  serverOptions: {
    setup: async (server) => {
      ;({ order, trackingToken } = await placeOrder(server, 'Leave it at the door, please.', 'Axe Tester', {
        address: '221B Baker Street, London',
        phone: '+44 20 7946 0958',
      }))
    },
  },
})

interface PageCase {
  name: string
  admin: boolean
  path: () => string
  ready: (page: Page) => Promise<void>
}

const PAGES: PageCase[] = [
  {
    name: 'storefront',
    admin: false,
    path: () => '/',
    ready: (page) => expect(page.getByRole('button', { name: /add/i }).first()).toBeVisible(),
  },
  {
    name: 'checkout',
    admin: false,
    path: () => '/',
    // A filled cart with its lines, and the inline error of a refused submit (at 360 px, the fixed total bar too).
    ready: async (page) => {
      await page
        .getByRole('button', { name: /^Add one / })
        .first()
        .click()
      await page.getByLabel('Phone').fill('12ab')
      await page.getByRole('button', { name: 'Place order' }).click()
      await expect(page.locator('#checkout-phone-error')).toBeVisible()
    },
  },
  {
    name: 'tracking',
    admin: false,
    path: () => trackingPath(order, trackingToken),
    ready: (page) => expect(page.getByTestId('order-status')).toBeVisible(),
  },
  {
    name: 'login',
    admin: false,
    path: () => '/login',
    ready: (page) => expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible(),
  },
  { name: 'board', admin: true, path: () => '/admin', ready: (page) => expect(page.locator('[data-order-id]').first()).toBeVisible() },
  {
    name: 'detail',
    admin: true,
    path: () => `/admin/orders/${order.id}`,
    ready: async (page) => {
      await expect(page.getByRole('heading', { name: `Order #${order.number}` })).toBeVisible()
      await expect(page.getByTestId('delivery-address')).toBeVisible()
    },
  },
  {
    name: 'dashboard',
    admin: true,
    path: () => '/admin/dashboard',
    ready: (page) => expect(page.locator('.rate-chart__plot canvas')).toBeVisible(),
  },
]

const VARIANTS = [
  { width: 1280, height: 900, colorScheme: 'light' as const, reducedMotion: 'no-preference' as const },
  { width: 360, height: 740, colorScheme: 'dark' as const, reducedMotion: 'reduce' as const },
]

async function openCase(browser: Browser, server: TestServer, pageCase: PageCase, variant: (typeof VARIANTS)[number]) {
  const context = await browser.newContext({
    viewport: { width: variant.width, height: variant.height },
    colorScheme: variant.colorScheme,
    reducedMotion: variant.reducedMotion,
  })
  if (pageCase.admin) await signInContext(context, server)
  const page = await context.newPage()
  await page.goto(server.url + pageCase.path())
  await pageCase.ready(page)
  await expect(page.getByTestId('connection-state')).toBeVisible()
  return { context, page }
}

for (const pageCase of PAGES) {
  test(`${pageCase.name}: no serious or critical axe violations, light 1280 px and dark 360 px`, async ({ browser, server }, testInfo) => {
    const summary: string[] = []
    for (const variant of VARIANTS) {
      const { context, page } = await openCase(browser, server, pageCase, variant)
      try {
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze()
        const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        const report = blocking.map(
          (v) =>
            `${v.id} (${v.impact}): ${v.help} → ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 5)
              .join(' | ')}`,
        )
        expect(report, `${pageCase.name} at ${variant.width} px ${variant.colorScheme}`).toEqual([])
        expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no horizontal scroll').toBeLessThanOrEqual(variant.width)
        summary.push(
          `${variant.width}px/${variant.colorScheme}: ${results.violations.length} minor/moderate, ${results.passes.length} rules passed`,
        )
        const path = testInfo.outputPath(`${pageCase.name}-${variant.width}-${variant.colorScheme}.png`)
        await page.screenshot({ path, fullPage: true })
        await testInfo.attach(`${pageCase.name}-${variant.width}`, { path, contentType: 'image/png' })
      } finally {
        await context.close()
      }
    }
    console.log(`[figure] axe ${pageCase.name}: ${summary.join('; ')}`)
  })
}
