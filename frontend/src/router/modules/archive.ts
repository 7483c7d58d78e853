import type { RouteRecordRaw } from 'vue-router'

// R-12345-17: records and admin use everything; analysts read (no verify, no reveal).
const roles: NonNullable<RouteRecordRaw['meta']>['roles'] = ['records', 'admin', 'analyst']

const routes: RouteRecordRaw[] = [
  {
    path: '/archive',
    name: 'archive',
    component: () => import('@/views/archive/ArchiveSearchView.vue'),
    meta: { titleKey: 'menu.archive', menu: true, roles },
  },
  {
    path: '/archive/:id',
    name: 'archive-detail',
    component: () => import('@/views/archive/ArchiveDetailView.vue'),
    props: true,
    meta: { titleKey: 'archive.detailTitle', roles },
  },
]

export default routes
