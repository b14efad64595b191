const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

function toDate(iso: string): Date | null {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? null : date
}

export function formatTime(iso: string): string {
  const date = toDate(iso)
  return date ? timeFormat.format(date) : iso
}

export function formatDateTime(iso: string): string {
  const date = toDate(iso)
  return date ? dateTimeFormat.format(date) : iso
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
