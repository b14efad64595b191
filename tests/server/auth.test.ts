import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { ADMIN_EMAIL, ADMIN_PASSWORD, api, loginAdmin, startServer } from './helpers'

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ loginRateLimitPerMinute: 8 })
})
afterAll(() => server.close())

describe('POST /api/auth/login', () => {
  it('returns an admin token and the user', async () => {
    const res = await api(server, '/api/auth/login', { body: { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD } })
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' })
    const [, payload] = res.body.token.split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    expect(claims).toMatchObject({ sub: res.body.user.id, role: 'admin' })
    expect(claims.jti).toBeTypeOf('string')
    expect(claims.exp - claims.iat).toBe(12 * 3600)
  })

  it('refuses a wrong password and an unknown email alike', async () => {
    const wrong = await api(server, '/api/auth/login', { body: { email: ADMIN_EMAIL, password: 'nope' } })
    const unknown = await api(server, '/api/auth/login', { body: { email: 'who@example.com', password: 'nope' } })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body).toEqual(unknown.body)
    expect(wrong.body.error.code).toBe('invalid_credentials')
  })

  it('validates the body', async () => {
    const res = await api(server, '/api/auth/login', { body: { email: 'not-an-email', password: 'x', extra: true } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
  })

  it('rate-limits guessing with 429 in the error envelope', async () => {
    let last = 0
    let body: any
    for (let i = 0; i < 10; i++) {
      const res = await api(server, '/api/auth/login', { body: { email: ADMIN_EMAIL, password: 'guess' } })
      last = res.status
      body = res.body
    }
    expect(last).toBe(429)
    expect(body.error.code).toBe('rate_limited')
  })
})

describe('POST /api/auth/logout', () => {
  it('revokes the token server-side', async () => {
    const other = await startServer()
    try {
      const token = await loginAdmin(other)
      expect((await api(other, '/api/stats', { token })).status).toBe(200)
      const out = await api(other, '/api/auth/logout', { method: 'POST', token, headers: { 'content-type': 'application/json' } })
      expect(out.status).toBe(204)
      const after = await api(other, '/api/stats', { token })
      expect(after.status).toBe(401)
      expect(after.body.error.code).toBe('invalid_token')
      // A second token of the same admin is unaffected.
      const fresh = await loginAdmin(other)
      expect((await api(other, '/api/stats', { token: fresh })).status).toBe(200)
    } finally {
      await other.close()
    }
  })

  it('needs a token', async () => {
    const res = await api(server, '/api/auth/logout', { method: 'POST' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
  })
})

describe('admin guard', () => {
  it('refuses tokens signed with another secret', async () => {
    const other = await startServer({ jwtSecret: 'another-secret-another-secret-another' })
    try {
      const foreign = await loginAdmin(other)
      const res = await api(server, '/api/orders', { token: foreign })
      expect(res.status).toBe(401)
    } finally {
      await other.close()
    }
  })

  it('refuses garbage bearer values', async () => {
    for (const token of ['a.b.c', 'x', 'Bearer']) {
      const res = await api(server, '/api/stats', { token })
      expect(res.status).toBe(401)
    }
    const res = await api(server, '/api/stats', { headers: { authorization: 'Basic Zm9vOmJhcg==' } })
    expect(res.status).toBe(401)
  })
})
