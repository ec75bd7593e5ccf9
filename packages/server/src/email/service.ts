/**
 * Email subscriptions of one server instance: the store's subscription rows and the dispatcher
 * that sends what they are owed. Null when LIFEBOAT_SMTP_URL is not set (email off: the subscribe
 * route answers 409, nothing is swept).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { SigningKey } from '../auth/tokens.js';
import type { Hub } from '../realtime/hub.js';
import { StoreDb } from '../store/db.js';
import { SqlStore } from '../store/sql-store.js';
import { SqlSubscriptions } from '../store/sql-subscriptions.js';
import type { Store } from '../store/store.js';
import { EmailDispatcher } from './dispatcher.js';

export interface EmailService {
  subscriptions: SqlSubscriptions;
  dispatcher: EmailDispatcher;
}

export function createEmailService(input: {
  store: Store;
  hub: Hub;
  config: ServerConfig;
  keys: readonly SigningKey[];
  log: FastifyBaseLogger;
}): EmailService | null {
  const { store, config } = input;
  if (!config.smtpUrl || !(store instanceof SqlStore)) return null;
  const subscriptions = new SqlSubscriptions(new StoreDb(store.driver, config.eventRetention));
  const dispatcher = new EmailDispatcher({ ...input, subscriptions });
  return { subscriptions, dispatcher };
}
