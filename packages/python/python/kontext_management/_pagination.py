"""Lazy iteration over every item of a list, one request per page."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Generic, Iterator, List, Optional, Type, TypeVar

from ._engine import NativeEngine, run_async, run_blocking
from ._model import Model

__all__ = ["SyncPager", "AsyncPager"]

T = TypeVar("T", bound=Model)


class _Pager(Generic[T]):
    """What the blocking and the asyncio pager share: the engine's paginator, the item model and
    the rest of the current page."""

    __slots__ = ("_engine", "_paginator", "_item", "_buffer")

    def __init__(self, engine: NativeEngine, paginator: Any, item: Type[T]) -> None:
        self._engine = engine
        self._paginator = paginator
        self._item = item
        self._buffer: Iterator[T] = iter(())

    def _page(self, text: str) -> Optional[List[T]]:
        """A page's JSON text as items; `None` after the last page."""
        if text == "null":
            return None
        wrap = self._item._wrap
        return [wrap(v) for v in json.loads(text)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}[{self._item.__name__}]"


class SyncPager(_Pager[T], Iterator[T]):
    """Iterates every item of a list; the next page is requested only when the current one is
    used up, so memory stays at one page. ``pages()`` iterates page by page instead.

    A pager is a one-pass iterator (like a generator): to start over, call ``list_all`` again.
    Arguments are checked when ``list_all`` is called; nothing is fetched before the first item is
    asked for.
    """

    __slots__ = ()

    def __iter__(self) -> "SyncPager[T]":
        return self

    def __next__(self) -> T:
        while True:
            for item in self._buffer:
                return item
            page = self._next_page()
            if page is None:
                raise StopIteration
            self._buffer = iter(page)

    def pages(self) -> Iterator[List[T]]:
        """Iterates the remaining pages, each as a list of items."""
        rest = list(self._buffer)
        if rest:
            yield rest
        while True:
            page = self._next_page()
            if page is None:
                return
            yield page

    def _next_page(self) -> Optional[List[T]]:
        text = run_blocking(self._engine, self._paginator.next_page_blocking)
        return self._page(text)



class AsyncPager(_Pager[T], AsyncIterator[T]):
    """Iterates every item of a list with ``async for``; the next page is requested only when
    the current one is used up. ``pages()`` iterates page by page instead.

    A pager is a one-pass iterator: to start over, call ``list_all`` again. Cancelling the task
    that awaits a page cancels its request.
    """

    __slots__ = ()

    def __aiter__(self) -> "AsyncPager[T]":
        return self

    async def __anext__(self) -> T:
        while True:
            for item in self._buffer:
                return item
            page = await self._next_page()
            if page is None:
                raise StopAsyncIteration
            self._buffer = iter(page)

    async def pages(self) -> AsyncIterator[List[T]]:
        """Iterates the remaining pages, each as a list of items."""
        rest = list(self._buffer)
        if rest:
            yield rest
        while True:
            page = await self._next_page()
            if page is None:
                return
            yield page

    async def _next_page(self) -> Optional[List[T]]:
        text = await run_async(self._paginator.next_page_async())
        return self._page(text)

