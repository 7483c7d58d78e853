import type { RouteRecordRaw } from 'vue-router'

// Read-only directory for staff; admins edit units at /admin/units (modules/admin.ts).
const routes: RouteRecordRaw[] = [
  {
    path: '/units',
    name: 'units',
    component: () => import('@/views/units/UnitsView.vue'),
    meta: { titleKey: 'menu.units', menu: true, roles: ['operator', 'analyst', 'leader'] },
  },
]

export default routes
