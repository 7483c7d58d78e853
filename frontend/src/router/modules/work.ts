import type { RouteRecordRaw } from 'vue-router'

// The office's own work (R-WORK-01…06): centre staff; units see the notices sent to them.
const staff: NonNullable<RouteRecordRaw['meta']>['roles'] = ['operator', 'analyst', 'leader', 'records', 'admin']

const routes: RouteRecordRaw[] = [
  {
    path: '/work/week',
    name: 'work-week',
    component: () => import('@/views/work/WorkWeekView.vue'),
    meta: { titleKey: 'menu.workWeek', menu: true, roles: staff },
  },
  {
    path: '/work/dept-week',
    name: 'work-dept-week',
    component: () => import('@/views/work/WorkDeptWeekView.vue'),
    meta: { titleKey: 'menu.workDeptWeek', menu: true, roles: staff },
  },
  {
    path: '/work/actions',
    name: 'work-actions',
    component: () => import('@/views/work/WorkActionsView.vue'),
    meta: { titleKey: 'menu.workActions', menu: true, roles: staff },
  },
  {
    path: '/work/approvals',
    name: 'work-approvals',
    component: () => import('@/views/work/WorkApprovalsView.vue'),
    meta: { titleKey: 'menu.workApprovals', menu: true, roles: staff },
  },
  {
    path: '/work/notices',
    name: 'work-notices',
    component: () => import('@/views/work/WorkNoticesView.vue'),
    meta: { titleKey: 'menu.workNotices', menu: true, roles: [...staff, 'unit_handler'] },
  },
  {
    path: '/work/announcements',
    name: 'work-announcements',
    component: () => import('@/views/work/WorkAnnouncementsView.vue'),
    meta: { titleKey: 'menu.workAnnouncements', menu: true, roles: [...staff, 'unit_handler'] },
  },
  {
    // R-WORK-04: the Friday report; the head's SMS links here (a login first, then back to this path)
    path: '/work/friday/:week',
    name: 'work-friday',
    component: () => import('@/views/work/WorkFridayView.vue'),
    meta: { titleKey: 'menu.workFriday', roles: ['analyst', 'leader', 'admin'] },
  },
  {
    path: '/work/figures',
    name: 'work-figures',
    component: () => import('@/views/work/WorkFiguresView.vue'),
    meta: { titleKey: 'menu.workFigures', menu: true, roles: ['analyst', 'leader', 'admin'] },
  },
]

export default routes
