// Keeps @supportdesk/core layered, lowest first: a file may import its own layer or a lower one,
// never a higher one, and nothing may import in a circle. Run by `pnpm lint`.
const layers = [
  '(errors|schema|util|config)\\.ts',
  'client/',
  'store/',
  'engine/',
  '(adapter\\.ts|import/)',
  '(index|internal)\\.ts',
];
const at = (layer) => `^packages/core/src/${layer}`;

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    ...layers.slice(0, -1).map((layer, index) => ({
      name: `no-import-up-from-${layer}`,
      comment: `${layer} must not import from a layer above it`,
      severity: 'error',
      from: { path: at(layer) },
      to: { path: layers.slice(index + 1).map(at) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
  },
};
