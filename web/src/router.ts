import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { state } from './session'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  { path: '/', name: 'dashboard', component: () => import('./pages/DashboardPage.vue') },
  { path: '/servers', name: 'servers', component: () => import('./pages/ServersPage.vue') },
  { path: '/servers/:id', name: 'server', component: () => import('./pages/ServerDetailPage.vue'), props: true },
  { path: '/console/:protocol(vnc|ssh)', name: 'console', component: () => import('./pages/ConsolePage.vue'), props: true },
  { path: '/tasks', name: 'tasks', component: () => import('./pages/TasksPage.vue') },
  { path: '/hosts', name: 'hosts', component: () => import('./pages/HostsPage.vue'), meta: { permission: 'compute.host.list' } },
  { path: '/identity', name: 'identity', component: () => import('./pages/IdentityPage.vue'), meta: { permission: 'identity.user.list' } },
  { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { permission: 'audit.event.list' } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  if (!to.meta.public && !state.session) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  return true
})
