import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/home',
    name: 'home',
    component: () => import('@/views/home/ConfirmationsView.vue'),
    meta: { titleKey: 'menu.home', menu: true, roles: ['operator', 'unit_handler', 'leader', 'analyst', 'admin'] },
  },
]

export default routes
