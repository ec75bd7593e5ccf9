import { css } from 'lit';
import { controlStyles, fieldStyles, tokenStyles } from '../styles/shared.styles.js';
import { answerStyles } from './answer.styles.js';
import { composerStyles } from './composer.styles.js';

export const threadStyles = [
  tokenStyles,
  controlStyles,
  fieldStyles,
  answerStyles,
  composerStyles,
  css`
    :host {
      container-type: inline-size;
    }
    .thread {
      display: grid;
      gap: var(--_s2);
      padding: var(--_s5);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-m);
      background: var(--_surface);
    }
    .header {
      display: grid;
      gap: var(--_s2);
      padding-bottom: var(--_s3);
      border-bottom: 1px solid var(--_border);
    }
    .heading-row {
      display: flex;
      align-items: center;
      justify-content: space-between;
      flex-wrap: wrap;
      gap: var(--_s2) var(--_s4);
    }
    .heading {
      margin: 0;
      font-size: 1.1875rem;
      font-weight: 650;
      line-height: 1.3;
    }
    .heading .count {
      font-size: var(--_fs-s);
      font-weight: 500;
      margin-inline-start: var(--_s1);
    }
    .note {
      margin: 0;
      color: var(--_muted);
      font-size: var(--_fs-s);
    }
    .sort {
      display: inline-flex;
      padding: 2px;
      border-radius: var(--_radius-s);
      background: var(--_raised);
      border: 1px solid var(--_border);
    }
    .sort-button {
      min-height: 2rem;
      padding: 0 var(--_s3);
      border: 0;
      border-radius: calc(var(--_radius-s) - 2px);
      background: none;
      color: var(--_muted);
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
      cursor: pointer;
    }
    .sort-button[aria-pressed='true'] {
      background: var(--_surface);
      color: var(--_text);
      box-shadow: 0 1px 2px rgb(0 0 0 / 0.12);
    }
    .posts,
    .replies {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    /* Windowed rendering (windowing.ts): the list and each row are formatting contexts, so the
       margins standing in for unrendered rows stay inside the list and each row's measured
       height is all of it. */
    .posts,
    .posts > .item {
      display: flow-root;
    }
    /* The windowed list keeps the reader's place itself (windowing.ts, #keepAnchor). */
    .posts.windowed {
      overflow-anchor: none;
    }
    .new-answers {
      position: sticky;
      top: var(--_s2);
      z-index: 1;
      height: 0;
      display: flex;
      justify-content: center;
      overflow: visible;
    }
    .new-answers-button {
      border-radius: 999px;
      box-shadow: 0 2px 10px rgb(0 0 0 / 0.2);
    }
    .more {
      display: grid;
      justify-items: center;
      gap: var(--_s2);
      padding-top: var(--_s3);
    }
    .reply-composer .composer {
      margin-top: var(--_s2);
      margin-inline-start: var(--_s5);
    }
    .posts > .item:not(.first) {
      border-top: 1px solid var(--_border);
    }
    .replies {
      margin-inline-start: calc(1.75rem + var(--_s2));
      padding-inline-start: var(--_s4);
      border-inline-start: 2px solid var(--_border);
      margin-bottom: var(--_s3);
    }
    .replies .post {
      padding-block: var(--_s2);
    }
    .empty {
      margin: 0;
      padding: var(--_s6) var(--_s4);
      text-align: center;
      color: var(--_muted);
    }
    .notice {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s3);
      margin: var(--_s2) 0 0;
      padding: var(--_s3) var(--_s4);
      border-radius: var(--_radius-s);
      background: var(--_raised);
      font-size: var(--_fs-s);
    }
    .notice.offline {
      border-inline-start: 3px solid var(--_minor);
    }
    .notice.locked {
      border-inline-start: 3px solid var(--_muted);
    }
    .error-notice {
      border-inline-start: 3px solid var(--_danger);
    }
    .skeleton-list {
      display: grid;
      gap: var(--_s5);
      padding-block: var(--_s4);
    }
    .skeleton-post {
      display: grid;
      gap: var(--_s2);
    }
    .line {
      height: 0.75rem;
    }
    .line.short {
      width: 30%;
    }
    .line.mid {
      width: 70%;
    }
    @container (max-width: 480px) {
      .thread {
        padding: var(--_s4);
      }
      .body,
      .workaround-card,
      .confirm,
      .post-status {
        margin-inline-start: 0;
      }
      .post-head time {
        margin-inline-start: 0;
      }
      .replies {
        margin-inline-start: var(--_s1);
        padding-inline-start: var(--_s3);
      }
    }
  `,
];
