import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import './styles.css'
import App from './App.vue'
import { loadRuntimeConfig } from './config'
import { i18n, currentLocale } from './locales'
import { router } from './router'
import { setupHttp } from './api/setup'

async function bootstrap(): Promise<void> {
  await loadRuntimeConfig()
  const app = createApp(App)
  app.use(createPinia())
  app.use(i18n)
  setupHttp(router)
  app.use(router)
  document.documentElement.lang = currentLocale()
  app.mount('#app')
}

void bootstrap()
