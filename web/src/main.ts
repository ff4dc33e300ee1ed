import urql from '@urql/vue'
import { createApp } from 'vue'
import App from './App.vue'
import { createClient, resetSocket } from './client'
import { router } from './router'
import { onSessionEnd } from './session'

onSessionEnd(() => {
  resetSocket()
  void router.push({ name: 'login', query: { expired: '1' } })
})

createApp(App).use(router).use(urql, createClient()).mount('#app')
