import { createRouter, type RouteRecord } from './routing'
import { useSessionStore } from './stores/session'
import TrackOrderView from './views/TrackOrderView.vue'

// Route-level chunks: every view but the tracking page is loaded when first opened, so the
// tracking link (where most first visits land, on a phone) carries neither the storefront's
// checkout nor the admin app. The tracking view itself stays in the entry: as a chunk of its own
// it would cost that first visit one more round trip before the order can show.
const routes: RouteRecord[] = [
  { path: '/', name: 'shop', component: () => import('./views/StorefrontView.vue'), meta: { title: 'Shop' } },
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
  { path: '*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: 'Not found' } },
]

export const router = createRouter({
  routes,
  beforeEach: (to) => (to.meta.requiresAdmin && !useSessionStore().isAdmin ? { name: 'login', query: { redirect: to.fullPath } } : true),
  afterEach: (to) => {
    document.title = to.meta.title ? `${to.meta.title} · Orderline` : 'Orderline'
  },
})
