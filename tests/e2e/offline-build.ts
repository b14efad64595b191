/**
 * Builds the app with given front-end variables into a temp dir, once per process and set of
 * variables (Playwright runs spec files serially in one worker), so each offline spec can test
 * the build it needs (short poll interval, socket disabled, two build ids) next to dist/.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestServer } from '../../harness/server'

const builds = new Map<string, Promise<string>>()

export function buildApp(env: Record<string, string>): Promise<string> {
  const key = JSON.stringify(Object.entries(env).sort())
  let build = builds.get(key)
  if (!build) {
    const outDir = mkdtempSync(path.join(tmpdir(), 'orderline-offline-build-'))
    build = new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['node_modules/vite/bin/vite.js', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
        {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.on('exit', (code) => (code === 0 ? resolve(outDir) : reject(new Error(`vite build failed (${code}):\n${output}`))))
    })
    builds.set(key, build)
  }
  return build
}

/** GET requests the server counted for one route pattern (http_requests_total, all statuses). */
export async function routeRequests(server: TestServer, route: string, method = 'GET', status?: number): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return text
    .split('\n')
    .filter((line) => line.startsWith('http_requests_total{') && line.includes(`route="${route}"`) && line.includes(`method="${method}"`))
    .filter((line) => status === undefined || line.includes(`status="${status}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
}

/** Cuts (or restores) the realtime path at the server: the fallback poll must take over. */
export async function blockRealtime(server: TestServer, blocked: boolean): Promise<void> {
  const response = await fetch(`${server.url}/__test__/realtime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ blocked }),
  })
  if (!response.ok) throw new Error(`realtime hook: ${response.status} ${await response.text()}`)
}

/** Makes the server unreachable for the browser (and its service worker), not for the test. */
export async function blockNetwork(server: TestServer, blocked: boolean): Promise<void> {
  const response = await fetch(`${server.url}/__test__/network`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ blocked }),
  })
  if (!response.ok) throw new Error(`network hook: ${response.status} ${await response.text()}`)
}
