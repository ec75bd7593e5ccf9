import { css } from 'lit';

/** Styles of `<lifeboat-answer>` (rendered into the thread's shadow root). */
export const answerStyles = css`
  lifeboat-answer {
    display: block;
  }
  .post {
    display: grid;
    gap: var(--_s2);
    padding: var(--_s4) 0;
    scroll-margin-top: var(--_s6);
  }
  .post:focus {
    outline: none;
  }
  .post:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 4px;
    border-radius: var(--_radius-s);
  }
  .post.sending {
    opacity: 0.7;
  }
  .post-head {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: var(--_s1) var(--_s2);
    font-size: var(--_fs-s);
  }
  .avatar {
    display: inline-grid;
    place-items: center;
    width: 1.75rem;
    height: 1.75rem;
    border-radius: 50%;
    background: color-mix(in srgb, var(--_accent) 16%, var(--_surface));
    color: color-mix(in srgb, var(--_accent) 70%, var(--_text));
    font-size: 0.6875rem;
    font-weight: var(--_strong);
  }
  .author {
    font-weight: var(--_strong);
  }
  .post-head time {
    margin-inline-start: auto;
  }
  .staff {
    --_badge: var(--_accent);
  }
  .verified {
    --_badge: var(--_operational);
  }
  .pinned {
    --_badge: var(--_maintenance);
  }
  .body,
  .workaround-card {
    margin-inline-start: calc(1.75rem + var(--_s2));
  }
  .body p,
  .body ul {
    margin: 0 0 var(--_s2);
  }
  .body > :last-child {
    margin-bottom: 0;
  }
  .body ul,
  .steps {
    padding-inline-start: var(--_s5);
  }
  code {
    padding: 0.0625rem 0.3125rem;
    border-radius: 4px;
    background: var(--_raised);
    border: 1px solid var(--_border);
    font-family: var(--_mono);
    font-size: 0.875em;
  }
  .body a,
  .steps a {
    color: var(--_accent);
    overflow-wrap: anywhere;
  }
  .workaround-card {
    display: grid;
    gap: var(--_s2);
    padding: var(--_s3) var(--_s4);
    border: 1px solid color-mix(in srgb, var(--_accent) 35%, var(--_border));
    border-inline-start: 3px solid var(--_accent);
    border-radius: var(--_radius-s);
    background: color-mix(in srgb, var(--_accent) 4%, var(--_surface));
  }
  .post.verified .workaround-card {
    border-inline-start-color: var(--_operational);
  }
  .eyebrow {
    margin: 0;
    font-size: 0.6875rem;
    font-weight: var(--_strong);
    letter-spacing: 0.06em;
    text-transform: uppercase;
    color: var(--_muted);
  }
  .workaround-title {
    margin: 0;
    font-size: var(--_fs-l);
    font-weight: var(--_strong);
    line-height: 1.35;
  }
  .steps {
    margin: 0;
    display: grid;
    gap: var(--_s1);
  }
  .facts {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s2) var(--_s5);
    margin: 0;
    font-size: var(--_fs-s);
  }
  .facts dt {
    color: var(--_muted);
  }
  .facts dd {
    margin: 0;
    font-weight: var(--_strong);
  }
  .risk[data-risk='safe'] {
    --_badge: var(--_operational);
  }
  .risk[data-risk='temporary'] {
    --_badge: var(--_minor);
  }
  .risk[data-risk='risky'] {
    --_badge: var(--_critical);
  }
  .risk-note {
    margin: 0;
    font-size: var(--_fs-s);
    color: var(--_muted);
  }
  .confirm,
  .post-status {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s2);
    margin: 0 0 0 calc(1.75rem + var(--_s2));
    font-size: var(--_fs-s);
  }
  .confirm .button {
    min-height: 2rem;
    font-weight: 500;
  }
  .post-status.failed {
    color: var(--_danger);
    font-weight: var(--_strong);
  }
  .post-actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s2);
    margin-top: var(--_s2);
    font-size: var(--_fs-s);
  }
  .post-actions .button {
    min-height: 2rem;
  }
  .post-actions .error {
    flex-basis: 100%;
    margin: 0;
  }
  .post-actions .button.danger {
    color: var(--_danger);
    border-color: var(--_danger);
  }
  .tombstone .deleted-note {
    margin: 0;
    font-style: italic;
  }
  .avatar {
    position: relative;
    overflow: hidden;
  }
  .avatar-image {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .member-badge {
    --_badge: var(--_muted);
    font-weight: 500;
  }
  /* "helped N people": the author's confirmed help (docs/reputation.md), quiet next to the name. */
  .helped {
    color: var(--_muted);
    font-size: var(--_fs-s);
    white-space: nowrap;
  }
  .post-status.pending-review {
    padding: var(--_s1) var(--_s3);
    border-inline-start: 3px solid var(--_minor);
    border-radius: var(--_radius-s);
    background: var(--_raised);
  }
  .post-actions .button.danger,
  .report-form .button.danger {
    color: var(--_danger);
    border-color: var(--_danger);
  }
  .report-form {
    display: grid;
    gap: var(--_s3);
    margin: var(--_s2) 0 0 calc(1.75rem + var(--_s2));
    padding: var(--_s3) var(--_s4);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
    background: var(--_raised);
    font-size: var(--_fs-s);
  }
  .report-form .reasons {
    display: grid;
    gap: var(--_s1);
    margin: 0;
    padding: 0;
    border: 0;
  }
  .report-form .reason {
    display: flex;
    align-items: center;
    gap: var(--_s2);
    min-height: 2rem;
    font-weight: 500;
  }
  .report-form p {
    margin: 0;
  }
  .report-done {
    margin: 0;
  }
  .report-done:focus {
    outline: none;
  }
`;
