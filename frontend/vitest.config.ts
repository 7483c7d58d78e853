import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'jsdom',
      include: ['tests/unit/**/*.test.ts'],
      // component tests import Element Plus on demand, styles included: let Vite transform it
      server: { deps: { inline: ['element-plus'] } },
    },
  }),
)
