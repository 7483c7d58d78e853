import type { RouteRecordRaw } from 'vue-router'

// R-12345-03 hand-over (代办): operators request, leaders approve; analysts and admins read.
const routes: RouteRecordRaw[] = [
  {
    path: '/handovers',
    name: 'handovers',
    component: () => import('@/views/handover/HandoverView.vue'),
    meta: { titleKey: 'menu.handovers', menu: true, roles: ['operator', 'leader', 'analyst', 'admin'] },
  },
]

export default routes
