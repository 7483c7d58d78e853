import type { RouteRecordRaw } from 'vue-router'

// Admin: units and contacts (R-12345-07), user accounts and roles, handling time limits (versioned), the office's
// work settings (departments, head of the centre, the weekly report due rule: R-WORK-01/04).
const routes: RouteRecordRaw[] = [
  {
    path: '/admin/units',
    name: 'admin-units',
    component: () => import('@/views/admin/UnitsAdminView.vue'),
    meta: { titleKey: 'menu.adminUnits', menu: true, roles: ['admin'] },
  },
  {
    path: '/admin/users',
    name: 'admin-users',
    component: () => import('@/views/admin/UsersAdminView.vue'),
    meta: { titleKey: 'menu.adminUsers', menu: true, roles: ['admin'] },
  },
  {
    path: '/admin/limits',
    name: 'admin-limits',
    component: () => import('@/views/admin/LimitsAdminView.vue'),
    meta: { titleKey: 'menu.adminLimits', menu: true, roles: ['admin'] },
  },
  {
    path: '/admin/work-settings',
    name: 'admin-work-settings',
    component: () => import('@/views/admin/WorkSettingsView.vue'),
    meta: { titleKey: 'menu.workSettings', menu: true, roles: ['admin'] },
  },
]

export default routes
