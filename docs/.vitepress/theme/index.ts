/**
 * The default theme, with `<ComponentPageDemo />` (config.ts puts it under the title of every
 * generated component page) and `<LifeboatDemo tag="…">` for any
 * page that wants one.
 */
import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import ComponentPageDemo from './ComponentPageDemo.vue';
import LifeboatDemo from './LifeboatDemo.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('LifeboatDemo', LifeboatDemo);
    app.component('ComponentPageDemo', ComponentPageDemo);
  },
} satisfies Theme;
