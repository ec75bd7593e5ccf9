export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/testing/**', 'src/cdn.ts', 'src/moderation/cdn.ts'],
  outdir: '.',
  litelement: true,
};
