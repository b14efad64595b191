/**
 * Build step: the entry's stylesheet (the shell and the customer's pages; admin and storefront
 * styles load with their routes) goes into index.html as a `<style>` element instead of a
 * `<link>`. A stylesheet link blocks the first paint until it has downloaded: on a phone's first
 * visit that is one more round trip before anything shows, for about 4 kB. Inline, the static
 * shell paints with the HTML alone.
 *
 * The server's Content-Security-Policy allows exactly this element by its hash
 * (server/http/csp.ts, `inlineStyleHashes`), never `'unsafe-inline'`. The .css file stays in the
 * build (the chunk graph names it) but out of the service worker's precache: no page loads it.
 */
import type { Plugin } from 'vite'
import { appEntryChunk } from './app-entry'

/** The stylesheets this plugin inlined in the last build (the precache leaves them out). */
export const inlinedStylesheets = new Set<string>()

interface ChunkCss {
  viteMetadata?: { importedCss: Set<string> }
}

export function inlineEntryStylesheet(): Plugin {
  /** The entry's CSS, taken off its chunk before Vite links it or lists it as a preload dependency. */
  let entryCss: { fileName: string; source: string } | null = null
  return {
    name: 'orderline:inline-entry-css',
    apply: 'build',
    generateBundle: {
      // Before Vite's own steps: once off the entry chunk, the stylesheet is neither linked from
      // index.html nor fetched by the preload of any lazy chunk that imports from the entry
      // (which would download it a second time and apply it twice).
      order: 'pre',
      handler(_options, bundle) {
        const entry = appEntryChunk(bundle)
        if (!entry) return
        const metadata = (entry as ChunkCss).viteMetadata
        const css = [...(metadata?.importedCss ?? [])]
        if (css.length !== 1) throw new Error(`the app entry should import exactly one stylesheet, found ${css.length}`)
        const fileName = css[0] as string
        const asset = bundle[fileName]
        if (!asset || asset.type !== 'asset') throw new Error(`the entry's stylesheet ${fileName} is not in the build`)
        metadata?.importedCss.delete(fileName)
        entryCss = { fileName, source: String(asset.source) }
      },
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        if (!context.bundle) return html
        inlinedStylesheets.clear()
        if (!entryCss) throw new Error('the entry stylesheet was not found before index.html was written')
        if (/<link rel="stylesheet"/.test(html)) throw new Error('index.html still links a stylesheet')
        // `</style` inside the CSS would end the element early (it cannot occur in valid CSS).
        if (/<\/style/i.test(entryCss.source)) throw new Error(`${entryCss.fileName} contains "</style", which cannot be inlined`)
        inlinedStylesheets.add(entryCss.fileName)
        // Where Vite puts its stylesheet link: at the end of <head>. A function replacement:
        // `$` sequences in the CSS stay as written.
        const css = entryCss.source
        return html.replace('</head>', () => `<style>${css}</style>\n</head>`)
      },
    },
  }
}
