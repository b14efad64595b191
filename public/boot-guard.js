/*
 * Loaded before the app's module script, as a plain file (the CSP allows no inline script).
 * When one module of the app fails to load (a connection dropped mid-load, a response aborted by
 * a busy service worker), the browser fires `error` at the module <script> and the page stays
 * blank for good. Reload once; if the app still cannot load, say so instead of a blank page.
 * `vite:preloadError` is the same failure for a lazily loaded route (e.g. the dashboard).
 */
;(function () {
  var KEY = 'orderline.bootRetryAt'
  // One automatic reload per half minute at most: a lasting failure must not loop.
  var RETRY_WINDOW_MS = 30000

  function lastRetry() {
    try {
      return Number(sessionStorage.getItem(KEY) || 0)
    } catch (error) {
      return Date.now()
    }
  }

  function explain() {
    var app = document.getElementById('app')
    if (!app || app.querySelector('[data-testid="boot-failed"]')) return
    var box = document.createElement('div')
    box.setAttribute('role', 'alert')
    box.setAttribute('data-testid', 'boot-failed')
    box.style.cssText = 'max-width:32rem;margin:3rem auto;padding:1rem;font:16px/1.5 system-ui,sans-serif'
    var text = document.createElement('p')
    text.textContent = 'Orderline could not finish loading. Check your connection, then try again.'
    var button = document.createElement('button')
    button.type = 'button'
    button.textContent = 'Reload'
    button.addEventListener('click', function () {
      location.reload()
    })
    box.appendChild(text)
    box.appendChild(button)
    app.replaceChildren(box)
  }

  /** True when it reloads; otherwise a retry just happened and the failure stands. */
  function retry() {
    if (Date.now() - lastRetry() <= RETRY_WINDOW_MS) return false
    try {
      sessionStorage.setItem(KEY, String(Date.now()))
    } catch (error) {
      return false
    }
    location.reload()
    return true
  }

  window.addEventListener(
    'error',
    function (event) {
      var target = event.target
      if (target instanceof HTMLScriptElement && target.type === 'module' && !retry()) explain()
    },
    true,
  )
  // A running app whose lazy chunk failed: reload once; after that the router reports the error
  // and the page the user is on stays usable.
  window.addEventListener('vite:preloadError', function (event) {
    if (retry()) event.preventDefault()
  })
})()
