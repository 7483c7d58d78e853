import type { RouteRecordRaw } from 'vue-router'

// Read-only until the admin endpoints exist; admin editing pages are added with them.
const routes: RouteRecordRaw[] = [
  {
    path: '/units',
    name: 'units',
    component: () => import('@/views/units/UnitsView.vue'),
    meta: { titleKey: 'menu.units', menu: true, roles: ['operator', 'analyst', 'leader', 'admin'] },
  },
]

export default routes
