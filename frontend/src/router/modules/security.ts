import type { RouteRecordRaw } from 'vue-router'

// R-SEC-01: the security log is the auditor's alone (the administrator it records cannot read it).
const routes: RouteRecordRaw[] = [
  {
    path: '/security-log',
    name: 'security-log',
    component: () => import('@/views/security/SecurityLogView.vue'),
    meta: { titleKey: 'menu.securityLog', menu: true, roles: ['auditor'] },
  },
]

export default routes
