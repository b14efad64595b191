#!/usr/bin/env node
// `npm start`: build the app if no build is there yet, then serve app + API + Socket.IO on one port.
// Kept in plain JS so it runs before anything is compiled.
import { existsSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const staticDir = path.resolve(root, process.env.STATIC_DIR ?? 'dist')
const started = Date.now()

if (process.argv.includes('--rebuild') || !existsSync(path.join(staticDir, 'index.html'))) {
  console.log('[orderline] no build found: building the app (vite build)…')
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (build.status !== 0) {
    console.error('[orderline] the build failed; see the errors above.')
    process.exit(build.status ?? 1)
  }
  console.log(`[orderline] built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, STATIC_DIR: staticDir, ORDERLINE_STARTED_AT: String(started) },
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
