/**
 * The insights module for admin pages (dist/cdn/lifeboat-insights.js), separate from the visitor
 * script tag so visitors never download it:
 *
 *   <script type="module" src="https://lifeboat.example.com/cdn/lifeboat-insights.js"></script>
 *   <lifeboat-insights site="acme"></lifeboat-insights>
 *
 * Defines `<lifeboat-insights>`; its `server` defaults to this module's own origin.
 */
import { setMessages } from '../localize.js';
import { LifeboatInsights } from './insights.js';
import { setInsightsMessages } from './messages.js';

declare global {
  interface Window {
    LifeboatInsights?: {
      setMessages: typeof setMessages;
      setInsightsMessages: typeof setInsightsMessages;
    };
  }
}

LifeboatInsights.defaultServer = new URL(import.meta.url).origin;
window.LifeboatInsights = { setMessages, setInsightsMessages };
