/**
 * The one place times and dates are written, from Intl in the user's locale: the same
 * `timeStyle: 'short'` everywhere (no hand-made "1:20am" next to a "01:20 AM").
 */
/*
 * Made on first use, not when the module loads: a page's first Intl format is expensive (the
 * engine's locale data), so it should come as late as it can, after public/early-order.js has
 * loaded that data on a worker thread, and never in the task that evaluates the app.
 */
let timeFormat: Intl.DateTimeFormat | undefined
let dateTimeFormat: Intl.DateTimeFormat | undefined

function toDate(at: string | number): Date | null {
  const date = new Date(at)
  return Number.isNaN(date.getTime()) ? null : date
}

/** A clock time ("13:20", "1:20 PM"): ISO string or epoch ms. */
export function formatTime(at: string | number): string {
  const date = toDate(at)
  if (!date) return String(at)
  timeFormat ??= new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })
  return timeFormat.format(date)
}

export function formatDateTime(at: string | number): string {
  const date = toDate(at)
  if (!date) return String(at)
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  return dateTimeFormat.format(date)
}

/** "2 min ago" style; falls back to the clock time after an hour. */
export function formatRelative(iso: string, now = Date.now()): string {
  const date = toDate(iso)
  if (!date) return iso
  const seconds = Math.round((now - date.getTime()) / 1000)
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  return formatDateTime(iso)
}
