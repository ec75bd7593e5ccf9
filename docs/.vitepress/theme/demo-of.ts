/** The demo each component page shows: a part of a bigger component shows that one. */
export const demoOf: Record<string, string> = {
  'lifeboat-banner': 'lifeboat-banner',
  'lifeboat-thread': 'lifeboat-thread',
  'lifeboat-answer': 'lifeboat-thread',
  'lifeboat-composer': 'lifeboat-thread',
  'lifeboat-workaround-form': 'lifeboat-workaround-form',
  'lifeboat-email-updates': 'lifeboat-email-updates',
  'lifeboat-moderation': 'lifeboat-moderation',
  'lifeboat-queue-item': 'lifeboat-moderation',
  'lifeboat-audit-log': 'lifeboat-moderation',
  'lifeboat-spike-panel': 'lifeboat-moderation',
  'lifeboat-insights': 'lifeboat-insights',
};
