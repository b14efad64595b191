// Preloaded (`--import`) by scripts/test-node24.mjs into every Node 24 process of the test run:
// better-sqlite3 is a native add-on built for one Node ABI, and the repository's node_modules
// holds the Node 20 build. This sends every import/require of the package to a copy built for
// Node 24 in the cache (ORDERLINE_BETTER_SQLITE3_DIR), so node_modules is never rebuilt in place.
import { registerHooks } from 'node:module'
import { pathToFileURL } from 'node:url'

const target = process.env.ORDERLINE_BETTER_SQLITE3_DIR
if (target) {
  const targetUrl = pathToFileURL(target).href + '/'
  const marker = '/node_modules/better-sqlite3/'
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context)
      const at = resolved.url.indexOf(marker)
      if (at === -1 || resolved.url.startsWith(targetUrl)) return resolved
      return { ...resolved, url: targetUrl + resolved.url.slice(at + marker.length) }
    },
  })
}
