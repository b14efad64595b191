#!/usr/bin/env node
// `npm run dev`: the backend (restarted on change) on DEV_BACKEND_PORT (3001) and Vite on 5173,
// which proxies /api and /socket.io (WebSocket included) to it. See vite.config.ts.
import { spawn } from 'node:child_process'

const backendPort = process.env.DEV_BACKEND_PORT ?? '3001'
const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', 'server/main.ts'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: backendPort,
      ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? 'http://127.0.0.1:5173,http://localhost:5173',
      // Vite's proxy passes the page's Host on: serve it (server/http/edge.ts).
      ALLOWED_HOSTS: process.env.ALLOWED_HOSTS ?? '127.0.0.1:5173,localhost:5173',
    },
  }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--host', process.env.HOST ?? '127.0.0.1'], {
    stdio: 'inherit',
    env: { ...process.env, DEV_BACKEND_URL: `http://127.0.0.1:${backendPort}` },
  }),
]
const stop = (signal) => children.forEach((child) => child.kill(signal))
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
for (const child of children)
  child.on('exit', (code) => {
    stop('SIGTERM')
    process.exitCode = code ?? 0
  })
