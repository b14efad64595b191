/**
 * Turns the server's per-minute buckets (oldest first, the last one is the current wall-clock
 * minute of `generatedAt`) into uPlot's aligned data: x in Unix seconds at each minute's start.
 */
export function perMinuteSeries(values: readonly number[], generatedAt: string): [number[], number[]] {
  const at = Date.parse(generatedAt)
  const currentMinute = Math.floor((Number.isFinite(at) ? at : Date.now()) / 60_000)
  const first = currentMinute - (values.length - 1)
  return [values.map((_, index) => (first + index) * 60), [...values]]
}
