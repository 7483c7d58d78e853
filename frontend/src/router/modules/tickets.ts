import type { RouteRecordRaw } from 'vue-router'

const InboxView = () => import('@/views/tickets/InboxView.vue')

const routes: RouteRecordRaw[] = [
  {
    path: '/tickets',
    name: 'tickets',
    component: InboxView,
    props: { scope: 'all' },
    meta: { titleKey: 'menu.tickets', menu: true, roles: ['operator', 'analyst', 'leader', 'admin'] },
  },
  {
    path: '/unit-tickets',
    name: 'unit-tickets',
    component: InboxView,
    props: { scope: 'unit' },
    meta: { titleKey: 'menu.unitInbox', menu: true, roles: ['unit_handler'] },
  },
  {
    path: '/env-inbox',
    name: 'env-inbox',
    component: () => import('@/views/tickets/EnvInboxView.vue'),
    meta: { titleKey: 'menu.envInbox', menu: true, roles: ['operator', 'analyst', 'leader', 'admin'] },
  },
  {
    path: '/queue',
    name: 'queue',
    component: () => import('@/views/tickets/LeaderQueueView.vue'),
    meta: { titleKey: 'menu.queue', menu: true, roles: ['leader'] },
  },
  {
    path: '/instructions',
    name: 'instructions',
    component: () => import('@/views/tickets/InstructionsView.vue'),
    meta: { titleKey: 'menu.instructions', menu: true, roles: ['leader', 'analyst', 'operator', 'unit_handler'] },
  },
  {
    path: '/tickets/new',
    name: 'ticket-new',
    component: () => import('@/views/tickets/TicketCreateView.vue'),
    meta: { titleKey: 'menu.newTicket', menu: true, roles: ['operator'] },
  },
  {
    path: '/tickets/:id',
    name: 'ticket-detail',
    component: () => import('@/views/tickets/TicketDetailView.vue'),
    props: true,
    meta: { titleKey: 'ticket.detail' },
  },
]

export default routes
