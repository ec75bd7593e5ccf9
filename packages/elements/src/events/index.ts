export * from './post.js';
export * from './confirm.js';
export * from './flag.js';
export * from './affected.js';
export * from './navigate.js';
export * from './workaround-submit.js';
export * from './workaround-created.js';
export * from './status-change.js';
