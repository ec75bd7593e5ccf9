/**
 * The moderation module for admin pages (dist/cdn/lifeboat-moderation.js), separate from the
 * visitor script tag so visitors never download it:
 *
 *   <script type="module" src="https://lifeboat.example.com/cdn/lifeboat-moderation.js"></script>
 *   <lifeboat-moderation site="acme"></lifeboat-moderation>
 *
 * Defines `<lifeboat-moderation>`; its `server` defaults to this module's own origin.
 */
import { setMessages } from '../localize.js';
import { setModerationMessages } from './messages.js';
import { LifeboatModeration } from './moderation.js';

declare global {
  interface Window {
    LifeboatModeration?: {
      setMessages: typeof setMessages;
      setModerationMessages: typeof setModerationMessages;
    };
  }
}

LifeboatModeration.defaultServer = new URL(import.meta.url).origin;
window.LifeboatModeration = { setMessages, setModerationMessages };
