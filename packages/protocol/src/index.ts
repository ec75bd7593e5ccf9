export * from './resources.js';
export * from './events.js';
export * from './problem.js';
export * from './limits.js';
export * from './ulid.js';
export * from './status/index.js';
export * from './workaround-rules.js';
export * from './reports.js';
