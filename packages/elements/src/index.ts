/**
 * @lifeboat/elements: every component, the client plumbing and the events. Importing this
 * entry lets elements create their client from `server` / `site` attributes (one per page).
 */
import { createLifeboat } from '@lifeboat/sdk';
import { setClientFactory } from './client-resolver.js';

setClientFactory(createLifeboat);

export { LifeboatBanner } from './banner/banner.js';
export { LifeboatThread } from './thread/thread.js';
export { LifeboatWorkaroundForm } from './workaround-form/workaround-form.js';
export { LifeboatAnswer } from './thread/answer.js';
export { LifeboatComposer } from './thread/composer.js';
export { LifeboatEmailUpdates, emailUpdatesMessages } from './subscribe/subscribe.js';
export { LifeboatElement, type Theme } from './base/lifeboat-element.js';
export { clientContext } from './context.js';
export {
  resolveClient,
  setClientFactory,
  setDefaultClient,
  sharedClient,
  type ClientFactory,
} from './client-resolver.js';
export { StoreController } from './controllers/store-controller.js';
export { PopoverController, type PopoverOptions } from './controllers/popover-controller.js';
export { messages, setMessages, type MessageOverrides, type Messages } from './localize.js';
export * from './events/index.js';
