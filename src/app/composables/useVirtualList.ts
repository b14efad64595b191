import { computed, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue'

export interface VirtualWindow {
  /** First rendered index (inclusive). */
  start: number
  /** Last rendered index (exclusive). */
  end: number
  /** Pixels above the first rendered row: where the window is translated to. */
  offset: number
  /** Height of the whole list, so the scrollbar is the list's, not the window's. */
  total: number
}

/**
 * The window of rows to render for a scroll position: the visible rows plus `overscan` rows on
 * each side, so a fast scroll or a focus move never shows a blank row. Pure: unit-tested with
 * 10,000 rows without a DOM.
 */
export function computeWindow(input: {
  scrollTop: number
  viewportHeight: number
  itemHeight: number
  count: number
  overscan: number
}): VirtualWindow {
  const { itemHeight, count, overscan } = input
  const total = Math.max(0, count) * itemHeight
  if (count <= 0 || itemHeight <= 0) return { start: 0, end: 0, offset: 0, total }
  const top = Math.min(Math.max(0, input.scrollTop), Math.max(0, total - input.viewportHeight))
  const first = Math.floor(top / itemHeight)
  const visible = Math.ceil(Math.max(input.viewportHeight, itemHeight) / itemHeight) + 1
  const start = Math.max(0, first - overscan)
  const end = Math.min(count, first + visible + overscan)
  return { start, end, offset: start * itemHeight, total }
}

/** The scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollTopFor(index: number, input: { scrollTop: number; viewportHeight: number; itemHeight: number }): number | null {
  const rowTop = index * input.itemHeight
  const rowBottom = rowTop + input.itemHeight
  if (rowTop < input.scrollTop) return rowTop
  if (rowBottom > input.scrollTop + input.viewportHeight) return rowBottom - input.viewportHeight
  return null
}

export interface UseVirtualListOptions {
  count: MaybeRefOrGetter<number>
  /** Fixed row height in px (may change with the layout, e.g. a media query). */
  itemHeight: MaybeRefOrGetter<number>
  overscan?: number
  /** Called when the window comes within `overscan` rows of the end: load the next page. */
  onNearEnd?: () => void
}

/**
 * Fixed-height windowing over a scroll container: the DOM holds only the rows in view (plus
 * overscan) whatever the list length. Bind `container` to the scrolling element and render
 * `range.start..range.end` inside a spacer of `range.total` px.
 */
export function useVirtualList(options: UseVirtualListOptions) {
  const container = shallowRef<HTMLElement | null>(null)
  const scrollTop = ref(0)
  const viewportHeight = ref(600)
  const overscan = options.overscan ?? 8
  const isSupported = typeof ResizeObserver !== 'undefined'

  const range = computed(() =>
    computeWindow({
      scrollTop: scrollTop.value,
      viewportHeight: viewportHeight.value,
      itemHeight: toValue(options.itemHeight),
      count: toValue(options.count),
      overscan,
    }),
  )

  function onScroll(): void {
    if (container.value) scrollTop.value = container.value.scrollTop
  }

  watch(
    container,
    (element, _previous, onCleanup) => {
      if (!element) return
      viewportHeight.value = element.clientHeight || viewportHeight.value
      scrollTop.value = element.scrollTop
      element.addEventListener('scroll', onScroll, { passive: true })
      const observer = isSupported ? new ResizeObserver(() => (viewportHeight.value = element.clientHeight || viewportHeight.value)) : null
      observer?.observe(element)
      onCleanup(() => {
        element.removeEventListener('scroll', onScroll)
        observer?.disconnect()
      })
    },
    { immediate: true },
  )

  watch(range, (next) => {
    if (options.onNearEnd && next.end > 0 && next.end >= toValue(options.count) - overscan) options.onNearEnd()
  })

  /** Scrolls the least needed to show row `index`; returns whether it scrolled. */
  function scrollToIndex(index: number): boolean {
    const element = container.value
    if (!element) return false
    const top = scrollTopFor(index, {
      scrollTop: element.scrollTop,
      viewportHeight: element.clientHeight,
      itemHeight: toValue(options.itemHeight),
    })
    if (top === null) return false
    element.scrollTop = top
    scrollTop.value = element.scrollTop
    return true
  }

  return { container, range, scrollToIndex, isSupported }
}
