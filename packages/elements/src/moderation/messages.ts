/**
 * The messages of `<lifeboat-moderation>`. A table of its own (not in `localize.ts`) so the
 * visitor bundle does not carry staff strings; same rules: English defaults, `setModerationMessages()`
 * overrides any subset, plurals and dates follow the locale of `setMessages()`.
 */
import type {
  FlagReason,
  TrustLevel,
  MemberKind,
  ModerationActionName,
  ModerationReasonCode,
} from '@lifeboat/protocol';
import { formatNumber, plural } from '../localize.js';
import { createMessageTable, type MessageOverrides } from '../message-table.js';

const defaults = {
  heading: 'Moderation',
  siteLabel: (site: string) => `Site ${site}`,
  tabsLabel: 'Moderation views',
  queueTab: 'Queue',
  auditTab: 'Audit log',
  filterLabel: 'Show',
  filterAll: 'All',
  filterPending: 'Pending',
  filterFlagged: 'Flagged',
  queueCount: (n: number) => plural(n, { one: '# post waits', other: '# posts wait' }),
  connection: {
    idle: '',
    connecting: 'Connecting…',
    open: 'Live',
    reconnecting: 'Reconnecting…',
    offline: 'Offline',
  },
  reconnecting: 'Reconnecting… New posts will appear when the connection is back.',
  offline: 'You are offline. The queue will catch up when the connection is back.',
  noToken:
    'Staff sign-in needed. Set the token attribute to a staff session token (printed by `lifeboat staff add`) or the server’s admin key.',
  noServer: 'Set the server and site attributes to the Lifeboat server and site to moderate.',
  signInPrompt: 'Sign in with your company account to moderate this site.',
  signInWith: (provider: string) => `Sign in with ${provider}`,
  unauthorized:
    'This token is not accepted for this site. Use a staff or moderator token of this site, or the admin key.',
  loadError: 'Could not load the moderation queue.',
  auditError: 'Could not load the audit log.',
  retry: 'Retry',
  loading: 'Loading…',
  allClear: 'All clear',
  allClearHint: 'Nothing waits for review. New posts that need a look appear here live.',
  nothingPending: 'No post waits for first review.',
  nothingFlagged: 'No flagged post.',
  queueLabel: 'Posts to review',
  pendingBadge: 'Pending review',
  flaggedBadge: (n: number) => plural(n, { one: 'Flagged once', other: 'Flagged # times' }),
  hiddenBadge: 'Hidden',
  publishedBadge: 'Published',
  bannedBadge: 'Banned',
  verifiedBadge: 'Verified',
  pinnedBadge: 'Pinned',
  staffBadge: 'Staff',
  memberKind: { guest: 'Guest', sso: 'Signed in', staff: 'Staff' } satisfies Record<
    MemberKind,
    string
  >,
  postCount: (n: number) =>
    n === 0
      ? 'no published posts yet'
      : plural(n, { one: '# published post', other: '# published posts' }),
  reasonsLabel: 'Why it is here',
  reasonCode: {
    pre_moderation: 'Pre-moderation',
    first_posts: 'First posts',
    guest: 'Guest post',
    links: 'Links',
    suspect_word: 'Suspect word',
    risky_tls: 'Risky advice',
    risky_shell: 'Risky advice',
    risky_credentials: 'Risky advice',
    risky_contact: 'Risky advice',
    flagged: 'Flagged',
  } satisfies Record<ModerationReasonCode, string>,
  matched: 'matched',
  flagReason: {
    spam: 'Spam',
    phishing: 'Phishing',
    dangerous: 'Dangerous',
    abusive: 'Abusive',
    off_topic: 'Off topic',
    other: 'Other',
  } satisfies Record<FlagReason, string>,
  flagsLabel: (n: number) => plural(n, { one: '# flag', other: '# flags' }),
  flagNotesLabel: 'Notes from members',
  workaroundLabel: 'Workaround',
  reasonLabel: 'Reason',
  reasonHint: 'optional, kept in the audit log',
  reasonPlaceholder: 'Why (optional)',
  actionsLabel: (name: string) => `Actions on the post by ${name}`,
  actions: {
    approve: 'Approve',
    reject: 'Reject',
    remove: 'Remove',
    hide: 'Hide',
    restore: 'Restore',
    keep: 'Keep, clear flags',
    verify: 'Verify',
    unverify: 'Unverify',
    pin: 'Pin',
    unpin: 'Unpin',
    ban: 'Ban author',
    unban: 'Unban author',
  },
  banConfirm: (name: string) => `Ban ${name} from this site?`,
  banDay: 'Ban for 24 hours',
  banWeek: 'Ban for 7 days',
  banForever: 'Ban permanently',
  cancel: 'Cancel',
  acting: 'Saving…',
  actionFailed: (action: string) => `${action} failed:`,
  announceDone: (action: string, name: string) => `${action}: post by ${name}.`,
  announceNew: (n: number) =>
    plural(n, { one: '# new post to review', other: '# new posts to review' }),
  shortcutsLabel: 'Keyboard shortcuts',
  shortcutMove: 'move',
  shortcutReason: 'reason field',
  shortcutBack: 'back to the post',
  // Audit log
  auditLabel: 'Audit log, newest first',
  auditEmpty: 'No moderation action yet.',
  loadMore: 'Load older entries',
  loadingMore: 'Loading…',
  system: 'System',
  admin: 'Admin key',
  verbs: {
    approve: 'approved',
    reject: 'rejected',
    hide: 'hid',
    restore: 'restored',
    remove: 'removed',
    verify: 'verified',
    unverify: 'unverified',
    pin: 'pinned',
    unpin: 'unpinned',
    lock: 'locked',
    unlock: 'unlocked',
    ban: 'banned',
    unban: 'unbanned',
    merge: 'merged',
    slow_mode: 'set slow mode on',
    policy: 'changed the policy of',
  } satisfies Record<ModerationActionName, string>,
  targets: { post: 'post', incident: 'incident', member: 'member', site: 'site' },
  forHours: (n: number) => plural(n, { one: 'for # hour', other: 'for # hours' }),
  slowModeOff: 'off',
  slowModeLabel: 'Slow mode',
  slowModeHint: 'One post per member per interval (staff exempt)',
  // Reputation (docs/reputation.md)
  trustLevel: {
    new: 'New',
    basic: 'Basic',
    helper: 'Helper',
    trusted: 'Trusted',
  } satisfies Record<TrustLevel, string>,
  trustTitle: (level: string, reputation: number, helped: number) =>
    `Trust level ${level}: reputation ${formatNumber(reputation)}, ${plural(helped, { one: 'helped # person', other: 'helped # people' })}`,
  helped: (n: number) => plural(n, { one: 'helped # person', other: 'helped # people' }),
  // Early warning (docs/early-warning.md)
  spikesHeading: 'Early warning',
  spikesHint:
    'Members are reporting problems more than usual for this hour of the week. No incident is declared yet.',
  spikeTitle: (members: number, what: string | null) =>
    `${plural(members, { one: '# member reports', other: '# members report' })} problems${what ? ` with ${what}` : ''}`,
  spikeExpected: (expected: number) =>
    `usually ${expected < 1 ? 'under 1' : formatNumber(Math.round(expected))} an hour`,
  spikeSince: (relative: string) => `since ${relative}`,
  spikePublic: 'shown in the public banner',
  spikeNotPublic: 'not public yet',
  spikeDeclare: 'Declare incident',
  spikeDeclaring: 'Declaring…',
  spikeConfirm: 'Confirm publicly',
  spikeDismiss: 'Dismiss',
  spikeDeclared: 'Declared as an incident; its reporters are the incident’s affected list.',
  spikeDismissed: 'Dismissed.',
  spikeFailed: (message: string) => `That did not work: ${message}`,
  announceSpike: (members: number, what: string | null) =>
    `Early warning: ${plural(members, { one: '# member reports', other: '# members report' })} problems${what ? ` with ${what}` : ''}.`,
  slowModeOptions: (seconds: number) =>
    seconds === 0
      ? 'Off'
      : seconds < 60 || seconds % 60
        ? `${formatNumber(seconds)} s`
        : plural(seconds / 60, { one: '# min', other: '# min' }),
  slowModeFailed: 'Slow mode could not be changed:',
  slowModeSet: (label: string) => `Slow mode: ${label}.`,
  seconds: (n: number) => `${formatNumber(n)} s`,
};

export type ModerationMessages = typeof defaults;
export type ModerationMessageOverrides = MessageOverrides<ModerationMessages>;

const table = createMessageTable<ModerationMessages>(defaults);

export const moderationMessages = (): ModerationMessages => table.get();

/** Overrides some moderation messages; connected `<lifeboat-moderation>` elements re-render. */
export function setModerationMessages(overrides: ModerationMessageOverrides): void {
  table.set(overrides);
}

export const onModerationMessagesChange = (listener: () => void): (() => void) =>
  table.onChange(listener);
