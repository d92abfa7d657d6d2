"""One real round trip through an installed wheel, for interpreters that cannot run the whole
suite (the aarch64 CPython under qemu-user): run as `python wheel_probe.py SITE_DIR ARCH` with
the KONTEXT_* variables of a running emulator.

It proves that the package is imported from SITE_DIR (not from a source tree), that the native
library is the ARCH build and loads, and that the sync client and the asyncio client each
create an application and read it back over loopback HTTP (token request included).
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys

site_dir, arch = sys.argv[1], sys.argv[2]
sys.path.insert(0, site_dir)

import kontext_management  # noqa: E402  (after the path it lives on)

assert platform.machine() == arch, f"running on {platform.machine()}, expected {arch}"
location = os.path.realpath(kontext_management.__file__)
assert location.startswith(os.path.realpath(site_dir) + os.sep), f"imported from {location}, not from {site_dir}"

with kontext_management.ManagementClient() as client:
    created = client.applications.create(name=f"qemu probe {arch}")
    fetched = client.applications.get(created.application.id)
    assert fetched.application.name == f"qemu probe {arch}", fetched


async def main() -> int:
    async with kontext_management.AsyncManagementClient() as client:
        page = await client.applications.list()
        return len(page.items)


count = asyncio.run(main())
assert count >= 1, count
print(f"wheel probe: kontext_management {kontext_management.__version__} on {platform.machine()} "
      f"(CPython {platform.python_version()}): created and read {created.application.id}, async list saw {count}")
