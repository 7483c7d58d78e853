import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import './types'
import AppLayout from '@/layouts/AppLayout.vue'
import { useAuthStore } from '@/stores/auth'
import { decide } from './guard'
import { appRoutes } from './routes'

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/login/LoginView.vue'),
    meta: { public: true, titleKey: 'login.title' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      {
        path: '',
        name: 'root',
        redirect: () => useAuthStore().landing,
      },
      ...appRoutes,
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/error/NotFoundView.vue'),
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
})

router.beforeEach((to) => {
  const auth = useAuthStore()
  const loggedIn = auth.isLoggedIn()
  if (!loggedIn && auth.session) auth.expire() // token lifetime over: same as a 401
  return decide(to, { loggedIn, role: auth.role })
})
