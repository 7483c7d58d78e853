import type { RouteRecordRaw } from 'vue-router'

// R-12345-06: every signed-in user reads the templates; only admin saves (the page hides editing otherwise).
const routes: RouteRecordRaw[] = [
  {
    path: '/templates',
    name: 'templates',
    component: () => import('@/views/templates/TemplatesView.vue'),
    meta: { titleKey: 'menu.templates', menu: true },
  },
]

export default routes
