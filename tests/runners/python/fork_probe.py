"""Run by `test_runtime.py` in a subprocess (so that pytest's own process never forks): a parent
that uses a blocking and an asyncio client, forks two children that use the same clients (both
kinds, and a `list_all` iteration), and keeps making calls while they run. An iteration the parent
started before the fork fails in a child, and goes on in the parent.

Usage: `python fork_probe.py BASE_URL ACCESS_TOKEN`. Every request carries its process id in the
header `x-pid`. Prints one JSON line: `{"parent": pid, "children": [pid, ...], "codes": [...]}`
(each child's exit code: 0 when every call it made returned what the parent's did).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback
from typing import Any, List

import kontext_management


def main(base_url: str, access_token: str) -> None:
    sync = kontext_management.ManagementClient(base_url=base_url, access_token=access_token, max_retries=0)
    aio = kontext_management.AsyncManagementClient(base_url=base_url, access_token=access_token, max_retries=0)

    def sync_calls(n: int) -> List[Any]:
        tagged = sync.with_options(extra_headers={"x-pid": str(os.getpid())})
        return [tagged.applications.list().to_dict() for _ in range(n)]

    async def async_calls(n: int) -> List[Any]:
        tagged = aio.with_options(extra_headers={"x-pid": str(os.getpid())})
        return [(await tagged.applications.list()).to_dict() for _ in range(n)]

    expected = sync_calls(3)[0]
    assert asyncio.run(async_calls(3))[0] == expected

    # An iteration started before the fork belongs to the parent: the child is refused it.
    before = sync.applications.list_all(limit=2)
    ids = [item["id"] for item in expected["items"]]
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                ok = all(page == expected for page in sync_calls(5))
                ok = ok and all(page == expected for page in asyncio.run(async_calls(5)))
                tagged = sync.with_options(extra_headers={"x-pid": str(os.getpid())})
                listed = [app.id for app in tagged.applications.list_all(limit=2)]
                ok = ok and listed == ids
                try:
                    next(before)
                    ok = False
                except kontext_management.APIConnectionError as e:
                    ok = ok and "forked" in str(e)
                code = 0 if ok else 3
            except BaseException:  # noqa: BLE001 - reported on stderr, and by the exit code
                traceback.print_exc()
                code = 2
            finally:
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)

    # The parent keeps working while the children run, on its own connections.
    ok = all(page == expected for page in sync_calls(5))
    ok = ok and all(page == expected for page in asyncio.run(async_calls(5)))
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    ok = ok and sync_calls(1)[0] == expected and asyncio.run(async_calls(1))[0] == expected
    ok = ok and [app.id for app in before] == ids
    print(json.dumps({"parent": os.getpid(), "children": children, "codes": codes, "parentOk": ok}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
