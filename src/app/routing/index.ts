/**
 * The router's parts for components: `useRoute`, `useRouter`, `<RouterLink>` and `<RouterView>`,
 * named as in vue-router so a reader knows them at sight. The route table is src/app/router.ts.
 */
export { RouterLink } from './RouterLink'
export { RouterView } from './RouterView'
export { createRouter, useRoute, useRouter, type RouteRecord } from './router'
