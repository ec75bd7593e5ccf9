/**
 * Archived threads are read-only (issue 12, docs/insights.md): posts and edits are refused by the
 * store with the thread state; confirmations, "affected" reports and flags are refused here,
 * before the write, so an archived incident's counts are final.
 */
import { ProblemError } from '../http/problem.js';
import type { Store } from '../store/store.js';

/** 409 `thread_locked` when the post's (or the incident's) thread is archived. */
export async function refuseArchived(
  store: Store,
  siteId: string,
  target: { postId: string } | { incidentId: string },
): Promise<void> {
  if ((await store.threadStateOf(siteId, target)) === 'archived')
    throw new ProblemError(
      409,
      'thread_locked',
      'This thread is archived: it is read-only, and its counts are final.',
    );
}
