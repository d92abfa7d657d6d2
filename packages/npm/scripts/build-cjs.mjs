// Builds what the CommonJS entry needs from the ES-module sources: dist/cjs (transpiled, no
// bundling, no type checking) and index.d.cts (the same declarations, typed as CommonJS).
// Runs in about a second, so `npm pack` (prepack) always ships fresh output.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cjs');
rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });

for (const file of readdirSync(join(root, 'src')).filter((f) => f.endsWith('.js'))) {
  const source = readFileSync(join(root, 'src', file), 'utf8');
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true },
  });
  if (diagnostics?.length) {
    throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
  }
  writeFileSync(join(out, file), outputText);
}
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
copyFileSync(join(root, 'index.d.ts'), join(root, 'index.d.cts'));
