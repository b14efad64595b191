import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, INVALID_RESPONSE, NETWORK_ERROR, parseErrorBody, request } from '../../src/app/api/client'
import { getOrder, listOrders, patchOrderStatus } from '../../src/app/api/orders'
import { listProducts } from '../../src/app/api/products'
import { orderSchema } from '../../src/protocol'
import { jsonResponse, makeOrder } from './support/fixtures'

function mockFetch(...responses: Array<Response | Error>) {
  const fn = vi.fn()
  for (const response of responses) {
    if (response instanceof Error) fn.mockRejectedValueOnce(response)
    else fn.mockResolvedValueOnce(response)
  }
  vi.stubGlobal('fetch', fn)
  return fn
}

afterEach(() => vi.unstubAllGlobals())

describe('parseErrorBody', () => {
  it('reads the {error: {code, message, current}} envelope', () => {
    const current = makeOrder({ version: 3 })
    const error = parseErrorBody(409, { error: { code: 'version_conflict', message: 'Stale version', current } })
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, code: 'version_conflict', message: 'Stale version' })
    expect(error.current).toEqual(current)
  })

  it('falls back to http_<status> and the status text for anything else', () => {
    expect(parseErrorBody(502, '<html>Bad gateway</html>', 'Bad Gateway')).toMatchObject({ code: 'http_502', message: 'Bad Gateway' })
    expect(parseErrorBody(500, undefined)).toMatchObject({ code: 'http_500', message: 'Request failed with status 500' })
    expect(parseErrorBody(400, { error: 'nope' }).current).toBeUndefined()
  })
})

describe('request', () => {
  it('sends JSON with the bearer token and validates the answer', async () => {
    const fetchMock = mockFetch(jsonResponse(200, makeOrder()))
    const order = await request('/api/orders/ord_1', orderSchema, { token: 'tok', method: 'POST', body: { a: 1 } })
    expect(order.id).toBe('ord_1')
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('/api/orders/ord_1')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"a":1}')
  })

  it('throws ApiError with the server code on an error status', async () => {
    mockFetch(jsonResponse(401, { error: { code: 'unauthorized', message: 'Bad credentials' } }))
    await expect(request('/api/x', orderSchema)).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: 'Bad credentials' })
  })

  it('turns a network failure into status 0', async () => {
    mockFetch(new TypeError('Failed to fetch'))
    await expect(request('/api/x', orderSchema)).rejects.toMatchObject({ status: 0, code: NETWORK_ERROR })
  })

  it('rejects a response that does not match the schema', async () => {
    mockFetch(jsonResponse(200, { ...makeOrder(), status: 'teleported' }))
    await expect(request('/api/x', orderSchema)).rejects.toMatchObject({ code: INVALID_RESPONSE })
  })
})

describe('area modules', () => {
  it('accepts the catalogue as an array or as {products}', async () => {
    const product = { id: 'p1', name: 'Coffee', description: 'Hot', priceCents: 350 }
    mockFetch(jsonResponse(200, [product]), jsonResponse(200, { products: [product] }))
    expect(await listProducts()).toEqual([product])
    expect(await listProducts()).toEqual([product])
  })

  it('getOrder sends If-None-Match and reports a 304', async () => {
    const fetchMock = mockFetch(jsonResponse(200, makeOrder(), { ETag: '"1"' }), new Response(null, { status: 304 }))
    const first = await getOrder('ord_1', 'tracking-token-123456')
    expect(first).toMatchObject({ notModified: false, etag: '"1"' })
    const second = await getOrder('ord_1', 'tracking-token-123456', '"1"')
    expect(second).toEqual({ notModified: true })
    const init = fetchMock.mock.calls[1]![1] as RequestInit
    expect((init.headers as Record<string, string>)['If-None-Match']).toBe('"1"')
  })

  it("getOrder takes the tracking page's early request once, for that URL and token only", async () => {
    const scope = globalThis as typeof globalThis & { __orderlineEarlyOrder?: unknown }
    const fetchMock = mockFetch(jsonResponse(200, makeOrder({ version: 2 }), { ETag: '"v2"' }))
    scope.__orderlineEarlyOrder = {
      url: '/api/orders/ord_1',
      token: 'tracking-token-123456',
      response: Promise.resolve(jsonResponse(200, makeOrder({ version: 1 }), { ETag: '"v1"' })),
    }
    // Another token: not its request.
    await expect(getOrder('ord_1', 'another-token-1234567')).resolves.toMatchObject({ etag: '"v2"' })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const first = await getOrder('ord_1', 'tracking-token-123456')
    expect(first).toMatchObject({ notModified: false, etag: '"v1"', order: { version: 1 } })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(scope.__orderlineEarlyOrder).toBeUndefined()
  })

  it('an early request that failed is the same error as a failed request of the app', async () => {
    const scope = globalThis as typeof globalThis & { __orderlineEarlyOrder?: unknown }
    mockFetch()
    scope.__orderlineEarlyOrder = { url: '/api/orders/ord_1', token: 'tok-1234567890', response: Promise.reject(new TypeError('offline')) }
    await expect(getOrder('ord_1', 'tok-1234567890')).rejects.toMatchObject({ status: 0, code: NETWORK_ERROR })
    scope.__orderlineEarlyOrder = {
      url: '/api/orders/ord_2',
      token: 'tok-1234567890',
      response: Promise.resolve(jsonResponse(404, { error: { code: 'not_found', message: 'No such order.' } })),
    }
    await expect(getOrder('ord_2', 'tok-1234567890')).rejects.toMatchObject({ status: 404, code: 'not_found' })
    scope.__orderlineEarlyOrder = {
      url: '/api/orders/ord_3',
      token: 'tok-1234567890',
      response: Promise.resolve(jsonResponse(200, { nope: 1 })),
    }
    await expect(getOrder('ord_3', 'tok-1234567890')).rejects.toMatchObject({ code: INVALID_RESPONSE })
  })

  it('listOrders builds the query and normalises nextCursor', async () => {
    const fetchMock = mockFetch(jsonResponse(200, { orders: [makeOrder()], nextCursor: 42 }))
    const page = await listOrders({ status: 'placed', cursor: 'abc' }, 'admin')
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/orders?status=placed&cursor=abc')
    expect(page.nextCursor).toBe('42')
  })

  it('patchOrderStatus sends the idempotency key and maps a 422 with current', async () => {
    const current = makeOrder({ version: 4 })
    const fetchMock = mockFetch(jsonResponse(422, { error: { code: 'illegal_transition', message: 'No', current } }))
    const attempt = patchOrderStatus('ord_1', { status: 'confirmed', version: 1 }, 'admin', 'key-12345678')
    await expect(attempt).rejects.toMatchObject({ status: 422, code: 'illegal_transition', current })
    const init = fetchMock.mock.calls[0]![1] as RequestInit
    expect((init.headers as Record<string, string>)['Idempotency-Key']).toBe('key-12345678')
    expect(init.method).toBe('PATCH')
  })
})
