/**
 * deploy/nginx.conf is what operators copy: check the properties Socket.IO needs are in it, and
 * that nginx itself accepts it (the cluster tests then run it for real).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, findNginx, renderNginxConfig } from '../../scripts/cluster-lib.mjs'

const site = readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8')
const socketLocation = /location \/socket\.io\/ \{([\s\S]*?)\n {4}\}/.exec(site)?.[1] ?? ''

/** Socket.IO's defaults (engine.io): a ping every 25 s, 20 s to answer. */
const PING_INTERVAL_S = 25
const PING_TIMEOUT_S = 20

describe('deploy/nginx.conf', () => {
  it('pins each client to one node with a consistent hash', () => {
    expect(site).toMatch(/upstream orderline \{[\s\S]*hash \$remote_addr consistent;/)
  })

  it('upgrades WebSockets on /socket.io/ and does not buffer events', () => {
    expect(socketLocation).toMatch(/proxy_set_header Upgrade \$http_upgrade;/)
    expect(socketLocation).toMatch(/proxy_set_header Connection \$connection_upgrade;/)
    expect(socketLocation).toMatch(/proxy_buffering off;/)
    expect(site).toMatch(/proxy_http_version 1\.1;/)
    // Host with its port: the server's same-origin check compares it with the browser's Origin.
    expect(socketLocation).toMatch(/proxy_set_header Host \$http_host;/)
  })

  it('keeps idle sockets open longer than a ping round trip', () => {
    const read = Number(/proxy_read_timeout (\d+)s;/.exec(socketLocation)?.[1])
    const send = Number(/proxy_send_timeout (\d+)s;/.exec(socketLocation)?.[1])
    expect(read).toBeGreaterThan(PING_INTERVAL_S + PING_TIMEOUT_S)
    expect(send).toBeGreaterThan(PING_INTERVAL_S + PING_TIMEOUT_S)
  })

  it('moves requests off a node that refuses connections', () => {
    expect(site).toMatch(/proxy_next_upstream error timeout/)
    expect(site).toMatch(/max_fails=1 fail_timeout=\d+s/)
  })

  it('leaves compression to the nodes (no second encoding at the edge)', () => {
    const directives = site.replace(/#.*$/gm, '')
    const server = /\nserver \{([\s\S]*)\n\}/.exec(directives)?.[1] ?? ''
    expect(server).toMatch(/\n {4}gzip off;/)
    expect(directives).not.toMatch(/gzip on;/)
    // The client's Accept-Encoding must reach the nodes: nothing may clear it.
    expect(site).not.toMatch(/proxy_set_header Accept-Encoding/i)
  })

  it.skipIf(!findNginx())('passes `nginx -t` once rendered with local ports', () => {
    const prefix = mkdtempSync(path.join(tmpdir(), 'orderline-nginx-t-'))
    try {
      const conf = path.join(prefix, 'nginx.conf')
      const rendered = renderNginxConfig({ listenPort: 18080, upstreamPorts: [13001, 13002, 13003], prefix })
      expect(rendered.match(/server 127\.0\.0\.1:1300\d max_fails/g)).toHaveLength(3)
      writeFileSync(conf, rendered)
      const result = spawnSync(findNginx()!, ['-t', '-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', conf], { encoding: 'utf8' })
      expect(result.status, result.stderr).toBe(0)
    } finally {
      rmSync(prefix, { recursive: true, force: true })
    }
  })
})
