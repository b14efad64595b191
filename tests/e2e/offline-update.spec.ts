/**
 * Offline, updates: a new build deployed while tabs are open shows the "Reload to update"
 * prompt; accepting it reloads into the new build. A tab with something typed into a form is
 * never reloaded under the user's hands: it keeps its prompt instead.
 */
import { readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { buildApp } from './offline-build'
import { expect, test } from './fixtures'

let buildA: string
let buildB: string
const current = path.join(tmpdir(), `orderline-offline-update-${process.pid}`)

function pointTo(dir: string): void {
  rmSync(current, { force: true })
  symlinkSync(dir, current)
}

function entryScript(dir: string): string {
  const match = /<script type="module"[^>]*\ssrc="([^"]+)"/.exec(readFileSync(path.join(dir, 'index.html'), 'utf8'))
  if (!match?.[1]) throw new Error(`no entry script in ${dir}`)
  return match[1]
}

const pageEntry = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.querySelector('script[type="module"][src]')?.getAttribute('src') ?? null)

test.use({
  serverOptions: {
    // The server serves a symlink the test repoints from build A to build B: a deploy.
    staticDir: async () => {
      buildA = await buildApp({ BUILD_ID: 'offline-update-a' })
      buildB = await buildApp({ BUILD_ID: 'offline-update-b' })
      pointTo(buildA)
      return current
    },
    teardown: () => rmSync(current, { force: true }),
  },
})

test('a deploy shows the update prompt; accepting reloads into the new build; a half-filled form is left alone', async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  expect(entryScript(buildA)).not.toBe(entryScript(buildB))
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + '/')
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    expect(await pageEntry(page)).toBe(entryScript(buildA))

    const typing = await context.newPage()
    await typing.goto(server.url + '/')
    await typing.getByRole('button', { name: /add/i }).first().click()
    await typing.getByLabel('Name').fill('Half-typed name')

    pointTo(buildB)
    await server.restart()
    for (const tab of [page, typing]) {
      await tab.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.update()))
      await expect(tab.getByRole('button', { name: 'Reload to update' })).toBeVisible({ timeout: 30_000 })
    }
    // Nothing reloads by itself.
    expect(await pageEntry(page)).toBe(entryScript(buildA))

    const reloaded = page.waitForEvent('load', { timeout: 30_000 })
    await page.getByRole('button', { name: 'Reload to update' }).click()
    await reloaded
    await expect.poll(() => pageEntry(page), { timeout: 15_000 }).toBe(entryScript(buildB))
    await expect(page.getByRole('button', { name: 'Reload to update' })).toHaveCount(0)

    // The tab with a half-filled form kept its text and its prompt.
    await typing.waitForTimeout(2000)
    await expect(typing.getByLabel('Name')).toHaveValue('Half-typed name')
    await expect(typing.getByRole('button', { name: 'Reload to update' })).toBeVisible()
    expect(await typing.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  } finally {
    await context.close()
  }
})
