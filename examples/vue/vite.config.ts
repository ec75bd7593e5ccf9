import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    vue({
      // <lifeboat-…> tags are custom elements, not Vue components: Vue sets their properties
      // and listens to their events.
      template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('lifeboat-') } },
    }),
  ],
  server: { port: 5174 },
});
