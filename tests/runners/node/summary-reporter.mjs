// A node:test reporter that ends the run with the line every runner of the shared suite prints
// (tests/scenarios/SCHEMA.md): `N passed, N failed`. Used next to the standard reporter.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  for await (const { type, data } of source) {
    if (data?.details?.type === 'suite') continue;
    if (type === 'test:pass' && !data.skip && !data.todo) passed += 1;
    if (type === 'test:fail') failed += 1;
  }
  yield `${passed} passed, ${failed} failed\n`;
}
