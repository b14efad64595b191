// Which built files belong to the admin app, from Vite's chunk graph (dist/.vite/manifest.json).
// The service worker precaches everything else (the customer shell); the admin files are cached
// when an admin first loads them (src/sw/precache.ts). Used by vite.config.ts (the precache
// manifest), the size budget and the first-visit test, so all three agree on one list.
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** Route components only an admin opens: their chunks, and what only they import, stay out of the precache. */
export const ADMIN_VIEW = /^src\/app\/views\/(Admin[A-Za-z]*|Dashboard)View\.vue$/

/** Files (paths inside dist/) reachable from the entry without passing through an admin view. */
function customerFiles(manifest) {
  const files = new Set()
  const seen = new Set()
  const visit = (key) => {
    if (seen.has(key) || ADMIN_VIEW.test(key)) return
    seen.add(key)
    const chunk = manifest[key]
    if (!chunk) return
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    for (const asset of chunk.assets ?? []) files.add(asset)
    for (const dep of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(dep)
  }
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key)
  return files
}

/** The admin app's files: in the chunk graph, but not reachable by a customer. */
export function adminOnlyFiles(distDir = 'dist') {
  const manifest = JSON.parse(readFileSync(path.join(distDir, '.vite/manifest.json'), 'utf8'))
  const customer = customerFiles(manifest)
  const admin = new Set()
  for (const chunk of Object.values(manifest)) {
    for (const file of [chunk.file, ...(chunk.css ?? []), ...(chunk.assets ?? [])]) if (!customer.has(file)) admin.add(file)
  }
  return [...admin].sort()
}
