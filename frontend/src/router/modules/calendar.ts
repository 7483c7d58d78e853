import type { RouteRecordRaw } from 'vue-router'

// Admin: working calendar and office hours; duty roster (R-12345-12).
const routes: RouteRecordRaw[] = [
  {
    path: '/admin/calendar',
    name: 'admin-calendar',
    component: () => import('@/views/calendar/CalendarView.vue'),
    meta: { titleKey: 'menu.calendar', menu: true, roles: ['admin'] },
  },
  {
    path: '/admin/duty',
    name: 'admin-duty',
    component: () => import('@/views/calendar/DutyView.vue'),
    meta: { titleKey: 'menu.duty', menu: true, roles: ['admin'] },
  },
]

export default routes
