import { computed, defineComponent, h, type PropType } from 'vue'
import { useRouter, type Location } from './router'

/**
 * A real link (`<a href>`: it opens in a new tab, copies, and works before the app has loaded)
 * whose plain click navigates inside the app. Carries `router-link-active` when the current path
 * is at or under its own, `router-link-exact-active` and `aria-current="page"` when it is the same.
 */
export const RouterLink = defineComponent({
  name: 'RouterLink',
  props: { to: { type: [String, Object] as PropType<Location>, required: true } },
  setup(props, { slots }) {
    const router = useRouter()
    const target = computed(() => router.resolve(props.to))
    const exact = computed(() => router.currentRoute.path === target.value.path)
    const active = computed(() => exact.value || router.currentRoute.path.startsWith(`${target.value.path.replace(/\/$/, '')}/`))
    function onClick(event: MouseEvent): void {
      // Modified clicks, other buttons and prevented clicks are the browser's (new tab, new window, download…).
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
      event.preventDefault()
      void router.push(target.value.fullPath)
    }
    return () =>
      h(
        'a',
        {
          href: target.value.fullPath,
          class: { 'router-link-active': active.value, 'router-link-exact-active': exact.value },
          'aria-current': exact.value ? 'page' : undefined,
          onClick,
        },
        slots.default?.(),
      )
  },
})
