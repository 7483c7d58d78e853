import type { RouteRecordRaw } from 'vue-router'

// Admin: partner platforms, their keys and webhook deliveries.
const routes: RouteRecordRaw[] = [
  {
    path: '/admin/partners',
    name: 'admin-partners',
    component: () => import('@/views/partners/PartnersView.vue'),
    meta: { titleKey: 'menu.partners', menu: true, roles: ['admin'] },
  },
]

export default routes
