import { css } from 'lit';

/** Styles of `<lifeboat-composer>` (rendered into the thread's shadow root). */
export const composerStyles = css`
  lifeboat-composer {
    display: block;
  }
  .composer {
    display: grid;
    gap: var(--_s3);
    margin-top: var(--_s4);
    padding: var(--_s4);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-m);
    background: var(--_raised);
  }
  .composer-heading {
    margin: 0;
    font-weight: var(--_strong);
  }
  .posting-as {
    margin: 0;
    font-size: var(--_fs-s);
  }
  .field p {
    margin: 0;
  }
  .composer-actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: var(--_s2);
  }
  .preview {
    padding: var(--_s3);
    border: 1px dashed var(--_border);
    border-radius: var(--_radius-s);
    background: var(--_surface);
  }
  .preview pre,
  .body pre {
    margin: var(--_s2) 0;
    padding: var(--_s3);
    overflow-x: auto;
    border-radius: var(--_radius-s);
    background: var(--_raised);
    white-space: pre;
  }
  .form-error {
    margin: 0;
  }
`;
