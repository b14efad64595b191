/**
 * `npm start` / `npm run server`: reads the environment, starts one node and shuts it down
 * cleanly on SIGINT/SIGTERM (sockets first, so clients reconnect elsewhere instead of hanging).
 */
import { ConfigError, DEMO_ADMIN_PASSWORD, loadConfig } from './config'
import { createServer } from './app'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const server = await createServer(config)

  const lines = [`Orderline is listening on ${server.url}`]
  lines.push(
    `Admin login: ${config.adminEmail} / ${config.adminPassword === DEMO_ADMIN_PASSWORD ? DEMO_ADMIN_PASSWORD : '(ADMIN_PASSWORD)'}`,
  )
  if (config.jwtSecretGenerated)
    lines.push('JWT_SECRET is not set: using a random secret, so admin sessions end when the process restarts.')
  console.log(lines.join('\n'))

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal} received, shutting down`)
    const timer = setTimeout(() => process.exit(1), 10_000)
    timer.unref()
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? `Failed to start: ${error.message}` : error)
  process.exit(1)
})
