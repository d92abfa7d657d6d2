// `listAll()`: lazy async iteration over every item, page by page. Nothing is fetched until the
// first `next()`; each `for await` starts a fresh walk; leaving the loop early drops the Rust
// stream (and any request it has in flight).

import { parseResult } from './secrets.js';

/**
 * @param {() => object} start creates the engine paginator (`nextPage(signal?)`, `close?()`)
 * @param {AbortSignal | undefined} signal cancels the page being fetched
 * @param {(error: unknown) => unknown} convert engine error → typed error
 */
export function listing(start, signal, convert) {
  async function* pages() {
    let paginator;
    try {
      paginator = start();
    } catch (error) {
      throw convert(error);
    }
    try {
      let page;
      for (;;) {
        page = await nextPage(paginator);
        if (page === undefined) return;
        yield page;
        // Not held by this suspended generator through the next fetch (see `nextPage`).
        page = undefined;
      }
    } finally {
      paginator.close?.();
    }
  }

  // One page, fetched and parsed in a frame of its own: its JSON text dies here. What a
  // suspended generator holds stays alive, and is copied by every scavenge (then promoted), for
  // as long as the caller works through the page or waits for the next one: the text read inside
  // `pages()` (35 kB for 100 applications), or the page already used up.
  async function nextPage(paginator) {
    let text;
    try {
      text = await paginator.nextPage(signal);
    } catch (error) {
      throw convert(error);
    }
    return text === null || text === undefined ? undefined : parseResult(text);
  }

  // Items one by one from the current page. Hand-written rather than `yield* page` inside an
  // async generator, which costs several promise jobs per item (this costs one); pages are
  // fetched in order even when `next()` is called again before the last call settled.
  function items() {
    const walk = pages();
    let page = [];
    let index = 0;
    let finished = false;
    let fetching = null;
    const next = () => {
      if (index < page.length) return Promise.resolve({ done: false, value: page[index++] });
      if (finished) return Promise.resolve({ done: true, value: undefined });
      if (fetching === null) {
        // The page is used up: let it go now rather than hold it through the next fetch.
        page = [];
        fetching = walk.next().then(
          (result) => {
            fetching = null;
            if (result.done) finished = true;
            else [page, index] = [result.value, 0];
          },
          (error) => {
            fetching = null;
            finished = true;
            throw error;
          },
        );
      }
      return fetching.then(next);
    };
    return {
      next,
      return(value) {
        finished = true;
        page = [];
        return walk.return(value).then(() => ({ done: true, value }));
      },
      throw(error) {
        finished = true;
        page = [];
        return walk.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  return {
    [Symbol.asyncIterator]: items,
    /** The same walk, one array per page. */
    pages,
  };
}
