import type { RouteRecordRaw } from 'vue-router'

// R-12345-14: the report and its documents are for staff (unit handlers read their unit through the API only).
const routes: RouteRecordRaw[] = [
  {
    path: '/stats',
    name: 'stats',
    component: () => import('@/views/stats/StatsView.vue'),
    meta: { titleKey: 'menu.stats', menu: true, roles: ['analyst', 'leader', 'admin', 'operator'] },
  },
]

export default routes
