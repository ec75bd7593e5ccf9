export { normalizeStatusDocument } from './normalize.js';
export {
  StatusSourceError,
  type NormalizedIncident,
  type NormalizedStatus,
  type StatusDocumentKind,
  type StatusSourceType,
} from './types.js';
export { htmlToText, toIsoUtc } from './text.js';
export {
  SEVERITY_FROM_COMPONENT,
  SEVERITY_FROM_IMPACT,
  SEVERITY_ORDER,
  SEVERITY_TEXT,
  worstOf,
} from './severity.js';
