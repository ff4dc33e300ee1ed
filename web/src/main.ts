import urql from '@urql/vue'
import { createApp } from 'vue'
import App from './App.vue'
import { createClient } from './client'
import { router } from './router'
import { onSessionEnd } from './session'

onSessionEnd(() => {
  void router.push({ name: 'login', query: { expired: '1' } })
})

createApp(App).use(router).use(urql, createClient()).mount('#app')
