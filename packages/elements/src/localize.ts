/**
 * The message table. Every user-visible string of the components comes from here, with English
 * defaults; `setMessages()` overrides any subset (and the locale used for plurals and dates) and
 * re-renders the connected components.
 */
import type {
  FlagReason,
  Impact,
  IncidentPhase,
  Severity,
  WorkaroundRisk,
} from '@lifeboat/protocol';
import { createMessageTable, type MessageOverrides as Overrides } from './message-table.js';

/** Picks `one` or `other` through Intl.PluralRules for the current locale. */
export function plural(n: number, forms: { one: string; other: string }): string {
  // English: "one" is exactly 1 (CLDR), without loading plural rules (see formatNumber).
  const rule = isEnglish()
    ? n === 1
      ? 'one'
      : 'other'
    : formatters(table.get().locale).plural.select(n);
  return (rule === 'one' ? forms.one : forms.other).replace('#', formatNumber(n));
}

const isEnglish = (): boolean => /^en\b/i.test(table.get().locale);

export function formatNumber(n: number): string {
  // English counts below 1,000 are their digits: no Intl.NumberFormat needed for them (the
  // first one made on a page loads ICU data, the largest cost of a thread's first frame).
  if (Number.isInteger(n) && Math.abs(n) < 1000 && isEnglish()) return String(n);
  return formatters(table.get().locale).number.format(n);
}

const defaults = {
  locale: 'en',
  // Shared
  loading: 'Loading…',
  retry: 'Retry',
  close: 'Close',
  staffBadge: 'Staff',
  verifiedBadge: 'Verified by staff',
  pinnedBadge: 'Pinned',
  /** On a post: distinct other people who said "worked for me" on the author's posts. */
  helpedPeople: (n: number) => plural(n, { one: 'helped # person', other: 'helped # people' }),
  offline: 'You are offline. New answers will appear when the connection is back.',
  reconnecting: 'Reconnecting…',
  loadError: 'Could not load the status.',
  noClient: 'Lifeboat is not configured: set the server and site attributes.',
  justNow: 'just now',
  minutesAgo: (n: number) => plural(n, { one: '# min ago', other: '# min ago' }),
  hoursAgo: (n: number) => plural(n, { one: '# hour ago', other: '# hours ago' }),
  daysAgo: (n: number) => plural(n, { one: '# day ago', other: '# days ago' }),
  updatedAgo: (relative: string) => `Updated ${relative}`,
  severity: {
    operational: 'All systems operational',
    maintenance: 'Under maintenance',
    minor: 'Minor service disruption',
    major: 'Partial outage',
    critical: 'Major outage',
  } satisfies Record<Severity, string>,
  impact: {
    none: 'No impact',
    minor: 'Minor',
    major: 'Major',
    critical: 'Critical',
  } satisfies Record<Impact, string>,
  phase: {
    investigating: 'Investigating',
    identified: 'Identified',
    monitoring: 'Monitoring',
    resolved: 'Resolved',
  } satisfies Record<IncidentPhase, string>,
  risk: {
    safe: 'Safe',
    temporary: 'Temporary',
    risky: 'Risky',
  } satisfies Record<WorkaroundRisk, string>,
  // Banner
  phaseProgress: 'Incident progress',
  affectedComponents: 'Affected',
  timeline: 'Timeline',
  timelineTitle: 'Official updates',
  affectedMeToo: 'Affected me too',
  affectedCount: (n: number) => plural(n, { one: '# affected', other: '# affected' }),
  topWorkaround: 'Community workaround',
  seeInThread: 'See in thread',
  officialUpdate: 'Official update',
  showAll: 'Show all',
  showLess: 'Show less',
  showDetails: 'Show details',
  moreIncidents: (n: number) => plural(n, { one: '+# more', other: '+# more' }),
  collapse: 'Collapse',
  expand: 'Expand',
  dismiss: 'Dismiss',
  dismissIncident: (title: string) => `Dismiss “${title}”`,
  // Early warning in the calm banner (docs/early-warning.md)
  problemReport: 'Something not working?',
  /** The same, on a narrow banner. */
  problemReportShort: 'Not working?',
  problemSending: 'Sending…',
  problemWhichPart: 'Which part? (optional)',
  problemWhichPartShort: 'Which part?',
  problemThanks: 'Thanks — reported',
  problemSent: 'Thanks — your report was sent to the team.',
  problemNamed: (name: string) => `Thanks — reported a problem with ${name}.`,
  problemFailed: 'Could not send. Try again',
  othersReporting: (what: string | null) =>
    what ? `Others are reporting problems with ${what}` : 'Others are reporting problems',
  showDismissed: (n: number) =>
    plural(n, { one: 'Show # dismissed incident', other: 'Show # dismissed incidents' }),
  maintenanceInProgress: 'Maintenance in progress',
  maintenanceUntil: (time: string) => `Until ${time}`,
  affectedTrend: (hours: number, total: number) =>
    `${plural(total, { one: '# report', other: '# reports' })} in the last ${plural(hours, { one: 'hour', other: '# hours' })}`,
  announceNew: (title: string, impact: string, phase: string) =>
    `New incident, ${impact}: ${title}. ${phase}.`,
  announcePhase: (title: string, phase: string) => `${title}: now ${phase}.`,
  announceImpact: (title: string, impact: string) => `${title}: impact now ${impact}.`,
  announceUpdate: (title: string, body: string) => `${title}, official update: ${body}`,
  announceResolved: (title: string) => `Resolved: ${title}.`,
  // Thread
  threadHeading: 'Community answers',
  threadNote:
    'Answers here come from other customers, not official support. Staff-verified answers are marked.',
  sortLabel: 'Sort',
  sortHelpful: 'Helpful',
  sortNewest: 'Newest',
  answersCount: (n: number) => plural(n, { one: '# answer', other: '# answers' }),
  emptyThread: 'No answers yet — be the first to help',
  threadError: 'Could not load the answers.',
  threadLocked: 'This thread is locked. The incident is closed to new answers.',
  workedForMe: (n: number) => `Worked for me (${formatNumber(n)})`,
  didntWork: (n: number) => `Didn't work (${formatNumber(n)})`,
  sending: 'Sending…',
  sendFailed: 'Couldn’t send',
  discard: 'Discard',
  pendingReview: 'Waiting for review — only you can see this',
  workaroundLabel: 'Workaround',
  stepsLabel: 'Steps',
  componentLabel: 'Component',
  platformLabel: 'Platform or region',
  riskLabel: 'Risk',
  newAnswers: (n: number) => plural(n, { one: '# new answer', other: '# new answers' }),
  replies: (n: number) => plural(n, { one: '# reply', other: '# replies' }),
  edited: 'edited',
  deletedPost: 'This post was deleted.',
  deleted: 'deleted',
  showNewAnswers: (n: number) =>
    plural(n, { one: 'Show # new answer', other: 'Show # new answers' }),
  loadMore: 'Load more answers',
  loadingMore: 'Loading more answers…',
  reply: 'Reply',
  replyTo: (name: string) => `Reply to ${name}`,
  replyLabel: 'Your reply',
  postReply: 'Post reply',
  cancel: 'Cancel',
  edit: 'Edit',
  editLabel: 'Edit your post',
  saveEdit: 'Save',
  saving: 'Saving…',
  deletePost: 'Delete',
  confirmDelete: 'Delete this post?',
  confirmDeleteYes: 'Yes, delete',
  editError: 'Your change could not be saved.',
  deleteError: 'Your post could not be deleted.',
  preview: 'Preview',
  previewLabel: 'Preview of your text',
  previewEmpty: 'Nothing to preview yet.',
  writeTab: 'Write',
  waitingToSend: 'Waiting for a connection — it will be sent when you are back online.',
  postQueued: 'Saved. It will be sent when you are back online.',
  postPendingReview: 'Posted. It is waiting for review — only you can see it for now.',
  removedByModerator: 'Removed by a moderator',
  hiddenByModerators: 'Hidden while the moderators review it',
  report: 'Report',
  reportPost: (name: string) => `Report the post by ${name}`,
  reportHeading: 'Report this post to the moderators',
  reportReason: 'Why?',
  flagReason: {
    spam: 'Spam or advertising',
    phishing: 'Phishing or a scam link',
    dangerous: 'Dangerous advice',
    abusive: 'Abusive or harassing',
    off_topic: 'Off-topic',
    other: 'Something else',
  } satisfies Record<FlagReason, string>,
  reportNote: 'Note for the moderators',
  reportNoteHint: 'Optional. What should they look at?',
  sendReport: 'Send report',
  sendingReport: 'Sending…',
  reportSent: 'Thanks — the moderators will review this post.',
  reportHidden: 'Thanks — this post is hidden until a moderator reviews it.',
  reportError: 'Your report could not be sent.',
  reportReasonRequired: 'Choose a reason.',
  slowMode: (seconds: number) =>
    plural(seconds, {
      one: 'Slow mode: you can post again in # s.',
      other: 'Slow mode: you can post again in # s.',
    }),
  banned: 'You can no longer post in this thread.',
  contentRejected: 'This text cannot be posted here.',
  // Composer
  composerHeading: 'Share what you found',
  displayName: 'Your name',
  displayNameHint: 'Shown next to your answer.',
  postingAs: (name: string) => `Posting as ${name}`,
  answerLabel: 'Your answer',
  answerHint:
    'Plain text. Blank lines split paragraphs, “- ” starts a list item, `code`, https links.',
  postAnswer: 'Post answer',
  posting: 'Posting…',
  required: 'This field is required.',
  tooShort: (min: number) =>
    plural(min, { one: 'Use at least # character.', other: 'Use at least # characters.' }),
  tooLong: (max: number) =>
    plural(max, { one: 'Use at most # character.', other: 'Use at most # characters.' }),
  formError: 'Please fix the highlighted fields.',
  postError: 'Your answer could not be posted.',
  // Workaround form
  workaroundHeading: 'Suggest a workaround',
  workaroundIntro: 'Found a way around the problem? Describe it step by step so others can try it.',
  titleLabel: 'Title',
  titleHint: 'What does it do? For example “Use the EU endpoint”.',
  stepLabel: (n: number) => `Step ${formatNumber(n)}`,
  addStep: 'Add step',
  removeStep: (n: number) => `Remove step ${formatNumber(n)}`,
  notSure: 'Not sure',
  optional: 'optional',
  riskSafe: 'Safe — no side effects',
  riskTemporary: 'Temporary — undo it after the incident',
  riskRisky: 'Risky — may have side effects',
  riskNoteLabel: 'Risk note',
  riskNoteHint: 'What could go wrong, and how to undo it.',
  riskNoteRequired: 'Explain the risk of this workaround.',
  stepsRequired: 'Add at least one step.',
  tooManySteps: (max: number) => `Use at most ${formatNumber(max)} steps.`,
  submitWorkaround: 'Submit workaround',
  submitting: 'Submitting…',
  workaroundPublished: 'Thanks — your workaround is published.',
  workaroundPending: 'Thanks — your workaround is waiting for review.',
  workaroundError: 'Your workaround could not be sent. Your text is kept; try again.',
  draftRestored: 'Draft restored.',
  honeypotLabel: 'Leave this field empty',
  noIncident: 'There is no open incident right now.',
  moveStepUp: (n: number) => `Move step ${formatNumber(n)} up`,
  moveStepDown: (n: number) => `Move step ${formatNumber(n)} down`,
  expiryLabel: 'How long does it help?',
  expiryResolved: 'Until the incident is resolved',
  expiryTime: 'Until a time',
  expiryTimeLabel: 'Helps until',
  expiryInvalid: 'Enter a valid date and time.',
  expiryPast: 'Choose a time in the future.',
  expiryTooFar: (days: number) => `Choose a time within ${formatNumber(days)} days.`,
  httpsOnly: 'Only https links are allowed.',
  tooManyLinks: (n: number) => `Use at most ${formatNumber(n)} links.`,
  unknownComponent: 'Choose a component from the list.',
  similarHeading: 'Similar workarounds already posted',
  similarHint: 'If one of these is the same fix, confirm it instead of posting it again.',
  similarFound: (n: number) =>
    plural(n, { one: '# similar workaround found', other: '# similar workarounds found' }),
  similarConfirmations: (n: number) =>
    plural(n, { one: '# member says it worked', other: '# members say it worked' }),
  similarWorked: 'This worked for me',
  similarConfirmed: 'Thanks — your confirmation counts',
  offlineKept:
    'You are offline. Your workaround is kept and will be sent when the connection is back.',
  rateLimited: (seconds: number) =>
    plural(seconds, {
      one: 'Too many submissions right now. Your workaround is kept; try again in # second.',
      other: 'Too many submissions right now. Your workaround is kept; try again in # seconds.',
    }),
  alreadySentEdited:
    'An earlier version of this workaround was already received. Send again to post this one as well.',
  validity: 'Helps',
  validUntil: (time: string) => `Until ${time}`,
  expiredAt: (time: string) => `Expired ${time}`,
  componentsAffected: 'Affected by this incident',
  componentsOther: 'Other components',
};

export type Messages = typeof defaults;
/** A partial override: nested tables (severity, phase…) may be given in part too. */
export type MessageOverrides = Overrides<Messages>;

const table = createMessageTable<Messages>(defaults);

/** The current message table. */
export const messages = (): Messages => table.get();

/** Overrides some messages (and the locale); connected components re-render. */
export function setMessages(overrides: MessageOverrides): void {
  table.set(overrides);
}

/** Restores the English defaults (tests). */
export function resetMessages(): void {
  table.set(defaults);
}

/** Calls `listener` after every `setMessages()`; returns the unsubscribe function. */
export const onMessagesChange = (listener: () => void): (() => void) => table.onChange(listener);

/** "just now", "12 min ago", "3 hours ago"… from an ISO date. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return table.get().justNow;
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return table.get().minutesAgo(minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 24) return table.get().hoursAgo(hours);
  return table.get().daysAgo(Math.round(hours / 24));
}

/** An absolute date for `title`/`datetime` companions of relative times. */
export function absoluteTime(iso: string): string {
  return formatters(table.get().locale).dateTime.format(new Date(iso));
}

/**
 * Intl formatters of one locale, made once: constructing them costs far more than formatting
 * (a 5,000-post thread formats counts and dates for every post it renders; pnpm bench).
 */
class Formatters {
  #plural: Intl.PluralRules | undefined;
  #number: Intl.NumberFormat | undefined;
  #dateTime: Intl.DateTimeFormat | undefined;
  constructor(readonly locale: string) {}
  get plural(): Intl.PluralRules {
    return (this.#plural ??= new Intl.PluralRules(this.locale));
  }
  get number(): Intl.NumberFormat {
    return (this.#number ??= new Intl.NumberFormat(this.locale));
  }
  get dateTime(): Intl.DateTimeFormat {
    return (this.#dateTime ??= new Intl.DateTimeFormat(this.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
    }));
  }
}
let cached: Formatters | undefined;

function formatters(locale: string): Formatters {
  if (cached?.locale !== locale) cached = new Formatters(locale);
  return cached;
}
