// Copies the repository's license texts into the package before it is packed (`prepack`): npm
// leaves symlinks out of a tarball, and every artifact must carry both texts.
import { copyFileSync } from 'node:fs';

for (const name of ['LICENSE-MIT', 'LICENSE-APACHE']) {
  copyFileSync(new URL(`../../../${name}`, import.meta.url), new URL(`../${name}`, import.meta.url));
}
