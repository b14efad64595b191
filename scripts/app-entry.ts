/** The build steps that work on the app's entry chunk (the one index.html loads) find it here. */
import type { Rollup } from 'vite'

/**
 * The app's entry chunk in a bundle, or null in a build without index.html (the service worker's
 * own build). More than one is a build this project does not make: an error, not a guess.
 */
export function appEntryChunk(bundle: Rollup.OutputBundle): Rollup.OutputChunk | null {
  const entries = Object.values(bundle).filter(
    (file): file is Rollup.OutputChunk => file.type === 'chunk' && file.isEntry && file.facadeModuleId?.endsWith('index.html') === true,
  )
  if (entries.length > 1) throw new Error(`expected one app entry, found ${entries.length}`)
  return entries[0] ?? null
}
