import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectSnippets, describeUnmarked, discoverReadmes, extractSnippets } from './readme-snippets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('README snippets', () => {
  it('finds the root README and those of the packages and examples', () => {
    const readmes = discoverReadmes(root);
    expect(readmes).toContain('README.md');
    expect(readmes).toContain('packages/express/README.md');
    expect(readmes).toContain('examples/express/README.md');
  });

  it('marks every ts or js block of every README as a snippet or as not one', () => {
    const { unmarked } = collectSnippets(root);
    expect(unmarked, describeUnmarked(root, unmarked)).toEqual([]);
  });

  it('gives every snippet an id of its own', () => {
    const ids = collectSnippets(root).snippets.map((snippet) => snippet.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('reads a marked block verbatim and reports an unmarked one by file and line', () => {
    const text = [
      '<!-- snippet: demo esm -->',
      '```ts',
      'await go();',
      '```',
      '<!-- not-a-snippet: output -->',
      '```js',
      '{ read: 2 }',
      '```',
      '```sh',
      'npm test',
      '```',
      '```ts',
      'const x = 1;',
      '```',
    ].join('\n');
    expect(extractSnippets('X.md', text)).toEqual({
      snippets: [
        { id: 'demo', file: 'X.md', line: 2, language: 'ts', formats: ['esm'], code: 'await go();' },
      ],
      unmarked: [{ file: 'X.md', line: 12, language: 'ts' }],
    });
  });
});
