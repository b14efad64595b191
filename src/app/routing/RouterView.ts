import { defineComponent, h, inject } from 'vue'
import { VIEW_KEY } from './router'

/** Renders the current route's component. */
export const RouterView = defineComponent({
  name: 'RouterView',
  setup() {
    const view = inject(VIEW_KEY)
    return () => (view?.component ? h(view.component) : null)
  },
})
