/** Sizes the server enforces and clients may use for inline validation. */
export const LIMITS = {
  displayName: { min: 1, max: 60 },
  postBody: { min: 1, max: 5000 },
  workaroundTitle: { min: 4, max: 140 },
  workaroundStep: { min: 1, max: 500 },
  workaroundSteps: { min: 1, max: 20 },
  workaroundPlatform: { max: 80 },
  workaroundRiskNote: { max: 280 },
  /** At most this many links in one post body (workaround steps included). */
  links: 5,
  /** Request body bytes. */
  requestBody: 32 * 1024,
  threadPage: { default: 50, max: 200 },
} as const;

/** Crockford base32 ULID. */
export const ULID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
