export { createLifeboat } from './client.js';
export type { LifeboatOptions } from './client.js';
export { LifeboatError } from './client-types.js';
export {
  createSimilarSearch,
  SIMILAR_DEBOUNCE_MS,
  SIMILAR_MIN_CHARS,
  type SimilarSearch,
} from './similar.js';
export type {
  ConnectionState,
  LifeboatClient,
  Loadable,
  LocalPost,
  ThreadSnapshot,
} from './client-types.js';
export type { FetchLike } from './http.js';
export type { SessionStorage } from './session.js';
export type { EventSourceConstructor, EventSourceLike } from './stream.js';
export type {
  AffectedHistory,
  AffectedResult,
  CreatePostRequest,
  Impact,
  Incident,
  IncidentPhase,
  IncidentUpdate,
  LifeboatEvent,
  MemberExport,
  MemberIncidentState,
  MemberSummary,
  Post,
  PostKind,
  PostState,
  Problem,
  ProblemCode,
  ReactionKind,
  ReactionResult,
  Session,
  Severity,
  SimilarWorkaround,
  SimilarWorkarounds,
  SiteStatus,
  StatusComponent,
  ThreadState,
  WorkaroundFields,
  WorkaroundRisk,
} from '@lifeboat/protocol';
export { createDirectStatus, siteStatusFrom } from './direct.js';
export type { DirectStatus, DirectStatusOptions } from './direct.js';
export { emailRequestErrors } from './email.js';
export type { SubscribeByEmailAction } from './email.js';
