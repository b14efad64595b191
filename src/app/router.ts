import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from './stores/session'
import StorefrontView from './views/StorefrontView.vue'
import TrackOrderView from './views/TrackOrderView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    requiresAdmin?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'shop', component: StorefrontView, meta: { title: 'Shop' } },
  { path: '/track/:orderId', name: 'track', component: TrackOrderView, meta: { title: 'Track your order' } },
  { path: '/orders', name: 'my-orders', component: () => import('./views/MyOrdersView.vue'), meta: { title: 'My orders' } },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: 'Sign in' } },
  {
    path: '/admin',
    name: 'admin-board',
    component: () => import('./views/AdminBoardView.vue'),
    meta: { title: 'Order board', requiresAdmin: true },
  },
  {
    path: '/admin/orders/:id',
    name: 'admin-order',
    component: () => import('./views/AdminOrderView.vue'),
    meta: { title: 'Order', requiresAdmin: true },
  },
  {
    path: '/admin/dashboard',
    name: 'admin-dashboard',
    component: () => import('./views/DashboardView.vue'),
    meta: { title: 'Dashboard', requiresAdmin: true },
  },
  {
    path: '/admin/diagnostics',
    name: 'admin-diagnostics',
    component: () => import('./views/AdminDiagnosticsView.vue'),
    meta: { title: 'Diagnostics', requiresAdmin: true },
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: 'Not found' } },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach((to) => {
  if (to.meta.requiresAdmin && !useSessionStore().isAdmin) {
    return { name: 'login', query: { redirect: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · Orderline` : 'Orderline'
})
