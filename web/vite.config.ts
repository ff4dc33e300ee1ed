import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// `npm run dev` talks to an api on :8000 (`nimbus api` or `make up`).
const api = process.env.NIMBUS_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  server: { proxy: { '/graphql': { target: api, ws: true } } },
  // noVNC's modules use top-level await.
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // The component library changes less often than the pages: its own cacheable chunk.
        manualChunks(id: string) {
          if (id.includes('node_modules/naive-ui') || id.includes('node_modules/vueuc') || id.includes('node_modules/css-render')) return 'ui'
          if (id.includes('node_modules')) return 'vendor'
          return undefined
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
  },
})
