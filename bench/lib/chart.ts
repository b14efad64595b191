/**
 * Grouped bar charts as standalone SVG files (no chart dependency in the bench): one group per
 * x label, one bar per series, values labelled on the bars so the image reads without a legend hunt.
 */
export interface BarChart {
  title: string
  unit: string
  groups: string[]
  series: { name: string; values: number[] }[]
}

const COLOURS = ['#1f6f5c', '#d08c2b', '#7a4fb5', '#c0392b']

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function barChartSvg(chart: BarChart): string {
  const width = 640
  const height = 320
  const top = 48
  const bottom = 40
  const left = 56
  const plotHeight = height - top - bottom
  const max = Math.max(1, ...chart.series.flatMap((series) => series.values.filter(Number.isFinite)))
  const groupWidth = (width - left - 16) / chart.groups.length
  const barWidth = Math.min(48, (groupWidth - 16) / chart.series.length)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="600">${escape(chart.title)}</text>`,
  ]
  chart.series.forEach((series, index) => {
    const x = left + index * 200
    parts.push(`<rect x="${x}" y="28" width="10" height="10" fill="${COLOURS[index % COLOURS.length]}"/>`)
    parts.push(`<text x="${x + 14}" y="37">${escape(series.name)}</text>`)
  })
  parts.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${width - 8}" y2="${top + plotHeight}" stroke="#999"/>`)
  parts.push(`<text x="8" y="${top + 4}" fill="#666">${escape(chart.unit)}</text>`)
  chart.groups.forEach((group, groupIndex) => {
    const groupX = left + groupIndex * groupWidth + 8
    chart.series.forEach((series, seriesIndex) => {
      const value = series.values[groupIndex] ?? Number.NaN
      if (!Number.isFinite(value)) return
      const barHeight = (value / max) * plotHeight
      const x = groupX + seriesIndex * barWidth
      const y = top + plotHeight - barHeight
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${COLOURS[seriesIndex % COLOURS.length]}"/>`,
      )
      const label = value >= 100 ? Math.round(value).toString() : value.toFixed(1)
      parts.push(`<text x="${(x + (barWidth - 4) / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${label}</text>`)
    })
    parts.push(
      `<text x="${(groupX + (chart.series.length * barWidth) / 2).toFixed(1)}" y="${height - 18}" text-anchor="middle">${escape(group)}</text>`,
    )
  })
  parts.push('</svg>')
  return parts.join('\n')
}
