export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/testing/**', 'src/cdn.ts'],
  outdir: '.',
  litelement: true,
};
