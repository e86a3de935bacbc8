// Finds the README code blocks a user copies. Each ts/js block must carry a marker on the line
// before its fence: `<!-- snippet: <id> [esm|cjs] -->` (compiled by the consumer suite, in the
// module formats named, both by default) or `<!-- not-a-snippet: <why> -->` (output, pseudo-code).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const codeLanguages = new Set([
  'ts',
  'typescript',
  'tsx',
  'mts',
  'cts',
  'js',
  'javascript',
  'jsx',
  'mjs',
  'cjs',
]);
const snippetMarker = /^<!--\s*snippet:\s*([a-z0-9-]+)((?:\s+(?:esm|cjs))*)\s*-->$/;
const notSnippetMarker = /^<!--\s*not-a-snippet:\s*\S.*-->$/;

/** The root README and every package's and example's README, relative to `root`. */
export function discoverReadmes(root) {
  const found = ['README.md'];
  for (const folder of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, folder)).sort()) {
      const readme = join(folder, name, 'README.md');
      if (existsSync(join(root, readme))) found.push(readme);
    }
  }
  return found.filter((file) => existsSync(join(root, file)));
}

/**
 * The marked snippets of one README, and the ts/js blocks that carry no marker.
 * `line` is the 1-based line of the fence that opens the block.
 */
export function extractSnippets(file, text) {
  const lines = text.split('\n');
  const snippets = [];
  const unmarked = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S*)\s*$/.exec(lines[index]);
    if (!open) continue;
    const close = lines.findIndex((line, at) => at > index && /^```\s*$/.test(line));
    if (close < 0) break;
    const language = open[1].toLowerCase();
    const previous = (lines[index - 1] ?? '').trim();
    const marker = snippetMarker.exec(previous);
    if (marker) {
      const formats = marker[2].trim().split(/\s+/).filter(Boolean);
      snippets.push({
        id: marker[1],
        file,
        line: index + 1,
        language,
        formats: formats.length > 0 ? formats : ['cjs', 'esm'],
        code: lines.slice(index + 1, close).join('\n'),
      });
    } else if (codeLanguages.has(language) && !notSnippetMarker.test(previous)) {
      unmarked.push({ file, line: index + 1, language });
    }
    index = close;
  }
  return { snippets, unmarked };
}

/** Every marked snippet of every README under `root`, and the unmarked ts/js blocks. */
export function collectSnippets(root) {
  const snippets = [];
  const unmarked = [];
  for (const file of discoverReadmes(root)) {
    const found = extractSnippets(file, readFileSync(join(root, file), 'utf8'));
    snippets.push(...found.snippets);
    unmarked.push(...found.unmarked);
  }
  return { snippets, unmarked };
}

/** What to tell someone whose README block has no marker. */
export function describeUnmarked(root, blocks) {
  return blocks
    .map(
      ({ file, line, language }) =>
        `${relative(root, join(root, file))}:${line}: this \`\`\`${language} block has no marker. On the line before ` +
        'its fence put `<!-- snippet: <unique-id> -->` (add ` esm` or ` cjs` if it only compiles in one module ' +
        'format, e.g. top-level await is esm) so test/consumers compiles it, or `<!-- not-a-snippet: <why> -->` ' +
        'if a user does not copy it. A fragment that uses names it does not define gets them from ' +
        'test/consumers/fixtures/shared/newcomer/preludes.js.',
    )
    .join('\n');
}
