/**
 * The tracking page's order request that public/early-order.js started before the app loaded
 * (on a phone's first visit the answer is on its way while the app's JavaScript still
 * downloads). Taken once, by the first request for that same URL with that same token; any
 * other request, or a second one, goes to the network as usual.
 */
interface EarlyOrder {
  url: string
  token: string
  response: Promise<Response>
}

type WithEarlyOrder = typeof globalThis & { __orderlineEarlyOrder?: EarlyOrder }

/** The early answer for `url` read with `token`, once; null when there is none for it. */
export function takeEarlyResponse(url: string, token: string): Promise<Response> | null {
  const scope = globalThis as WithEarlyOrder
  const early = scope.__orderlineEarlyOrder
  if (!early) return null
  if (early.url !== url || early.token !== token) return null
  delete scope.__orderlineEarlyOrder
  return early.response
}
