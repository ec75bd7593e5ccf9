/** The chunk table the CDN build writes for the loader (scripts/cdn-config.ts). */
declare module 'virtual:lifeboat-chunks' {
  /** Every chunk under chunks/: its sha384 integrity and the chunks it imports statically. */
  export const chunks: Record<string, [integrity: string, imports: string[]]>;
  /** The chunk of each entry. */
  export const entries: {
    runtime: string;
    banner: string;
    thread: string;
    'workaround-form': string;
  };
}
