// `listAll()`: lazy async iteration over every item, page by page. Nothing is fetched until the
// first `next()`; each `for await` starts a fresh walk; leaving the loop early drops the Rust
// stream (and any request it has in flight).

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
      for (;;) {
        let text;
        try {
          text = await paginator.nextPage(signal);
        } catch (error) {
          throw convert(error);
        }
        if (text === null || text === undefined) return;
        yield JSON.parse(text);
      }
    } finally {
      paginator.close?.();
    }
  }

  async function* items() {
    for await (const page of pages()) yield* page;
  }

  return {
    [Symbol.asyncIterator]: items,
    /** The same walk, one array per page. */
    pages,
  };
}
