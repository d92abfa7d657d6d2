#!/usr/bin/env node
'use strict';
// `npx kontext-management-emulator [flags]`: runs this platform's binary with the same arguments,
// stdio and exit code, and passes Ctrl-C / SIGTERM on to it.

const { spawn } = require('node:child_process');
const { binaryPath } = require('../index.cjs');

let bin;
try {
  bin = process.env.KONTEXT_EMULATOR_BIN || binaryPath();
} catch (error) {
  console.error(`kontext-management-emulator: ${error.message}`);
  process.exit(1);
}
const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`kontext-management-emulator: cannot run ${bin}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
