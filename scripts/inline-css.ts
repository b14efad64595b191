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

const STYLESHEET_LINK = /<link rel="stylesheet"(?: crossorigin)? href="\/(assets\/[^"]+\.css)">/g

/** The stylesheets this plugin inlined in the last build (the precache leaves them out). */
export const inlinedStylesheets = new Set<string>()

export function inlineEntryStylesheet(): Plugin {
  return {
    name: 'orderline:inline-entry-css',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const bundle = context.bundle
        if (!bundle) return html
        inlinedStylesheets.clear()
        const links = [...html.matchAll(STYLESHEET_LINK)]
        if (links.length !== 1) throw new Error(`index.html should link exactly one stylesheet, found ${links.length}`)
        const [tag, fileName] = links[0] as unknown as [string, string]
        const asset = bundle[fileName]
        if (!asset || asset.type !== 'asset') throw new Error(`index.html links ${fileName}, which the build did not emit`)
        const css = String(asset.source)
        // `</style` inside the CSS would end the element early (it cannot occur in valid CSS).
        if (/<\/style/i.test(css)) throw new Error(`${fileName} contains "</style", which cannot be inlined`)
        inlinedStylesheets.add(fileName)
        // A function replacement: `$` sequences in the CSS must stay as written.
        return html.replace(tag, () => `<style>${css}</style>`)
      },
    },
  }
}
