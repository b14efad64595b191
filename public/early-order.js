/*
 * The tracking page's order request, started the moment this tiny file arrives instead of after
 * the app's JavaScript has downloaded and run: on a phone's first visit that saves the API round
 * trip from the time until the order shows. The app takes the pending answer for its first load
 * of that order (src/app/api/earlyOrder.ts) and handles it exactly as its own request (errors,
 * validation); anything else ignores it. Plain script, like boot-guard.js (the CSP allows no
 * inline script); the build writes the API origin (VITE_API_URL) in place of `'__ORDERLINE_API_URL__'`.
 *
 * It also warms up the engine's date formatting, in a worker that runs this same file: the first
 * Intl date or number format of a page costs ~100 ms on a mid-range phone (the engine loads its
 * locale data once per process, on whichever thread asks first). Loaded on a thread beside the
 * page's, it is ready when the app formats its first time, and that cost leaves the app's
 * start-up. Every page formats a time early (the header's connection badge says when the data
 * was last confirmed, from the first connect on), so every page starts it. The worker costs no
 * download: the HTTP cache (or the service worker's precache) already holds this file.
 */
if (typeof window === 'undefined') {
  // In the warm-up worker.
  try {
    new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(0)
  } finally {
    close()
  }
} else {
  ;(function () {
    var API_URL = '__ORDERLINE_API_URL__'
    var match = /^\/track\/([^/]+)\/?$/.exec(location.pathname)
    if (!match || typeof fetch !== 'function') return
    var token = null
    var parts = location.hash.replace(/^#/, '').split('&')
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf('t=') === 0 && parts[i].length > 2) token = parts[i].slice(2)
    }
    if (!token) return
    try {
      // As the router reads them: percent-decoded.
      var id = decodeURIComponent(match[1])
      token = decodeURIComponent(token)
    } catch (error) {
      return
    }
    var url = API_URL + '/api/orders/' + encodeURIComponent(id)
    // The same request the app would send (src/app/api/client.ts), so a service worker treats it alike.
    var response = fetch(url, { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token } })
    // Handled here too: an answer the app never takes (another route by then) is no unhandled rejection.
    response.catch(function () {})
    window.__orderlineEarlyOrder = { url: url, token: token, response: response }
  })()
  ;(function () {
    var script = document.currentScript
    if (!script || typeof Worker !== 'function') return
    var src = script.src
    // Started from a task of its own: starting a worker is main-thread work too (half of this
    // file's task at 4x CPU), and the order's request above should not wait behind it. It still
    // runs long before the app's first format (after the app's entry has run and mounted).
    setTimeout(function () {
      try {
        new Worker(src)
      } catch (error) {
        // Refused (a policy, an old browser): the app formats as it always did, only later.
      }
    }, 0)
  })()
}
