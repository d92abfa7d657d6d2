//! A validating scanner for JSON the SDK hands on as text: results and pages for the bindings,
//! which each language parses itself. It checks the syntax as strictly as serde_json and finds
//! the spans the SDK needs, without building values or calling a visitor per token.
//!
//! serde_json did this job before (`IgnoredAny`, `RawValue`). Its tokenizer is generic and, in
//! the size-optimised wasm build, a chain of small calls per token: skipping a page's items that
//! way was most of the wasm engine's time per item.

/// Why a text is not what it should be, worded like serde_json's messages without their position
/// (see `error::serde_message`).
pub(crate) type Problem = String;

/// serde_json's recursion limit for values: the typed path refuses deeper text too, and the
/// scanner recurses (a bound on its stack).
const MAX_DEPTH: u32 = 128;

/// The compact JSON text of `value`, as `value.to_string()` writes it, through the serializer
/// every other JSON write of the SDK uses: `Value`'s `Display` compiles two more copies of it
/// (one for `{:#}`), ~6 KB of the WebAssembly engine (bindings/ENGINE.md).
pub(crate) fn text(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Checks that `text` is one JSON value, with nothing but whitespace around it.
pub(crate) fn check(text: &str) -> Result<(), Problem> {
    let mut scanner = Scanner::new(text);
    scanner.value(0)?;
    scanner.end()
}

/// A page of a list (`{"items": [...], "nextCursor": "..."}`), checked and taken apart.
#[derive(Debug)]
pub(crate) struct PageParts<'a> {
    /// The JSON text of the items array.
    pub items: &'a str,
    /// How many items it holds.
    pub count: usize,
    pub next_cursor: Option<String>,
}

/// Checks `text` as a page and finds its parts; other members are checked and skipped, as the
/// typed `Page` ignores them.
pub(crate) fn page(text: &str) -> Result<PageParts<'_>, Problem> {
    let mut scanner = Scanner::new(text);
    scanner.skip_whitespace();
    if scanner.peek() != Some(b'{') {
        return Err(scanner.invalid_type("a page of items"));
    }
    scanner.pos += 1;
    let mut items = None;
    let mut next_cursor = None;
    scanner.members(1, |scanner, key| {
        match key.value()?.as_ref() {
            "items" if items.is_some() => return Err("duplicate field `items`".into()),
            "items" => {
                if scanner.peek() != Some(b'[') {
                    return Err(scanner.invalid_type("an array of items"));
                }
                let start = scanner.pos;
                let count = scanner.array(2)?;
                items = Some((&text[start..scanner.pos], count));
            }
            "nextCursor" if next_cursor.is_some() => return Err("duplicate field `nextCursor`".into()),
            "nextCursor" => next_cursor = Some(scanner.optional_string()?),
            _ => scanner.value(1)?,
        }
        Ok(())
    })?;
    scanner.end()?;
    let (items, count) = items.ok_or("missing field `items`")?;
    Ok(PageParts { items, count, next_cursor: next_cursor.flatten() })
}

/// Where the first byte at or after `pos` that ends a run of plain string contents is: a quote,
/// a backslash or a control character (`bytes.len()` if there is none). Most of a page is string
/// contents, so this looks at eight bytes at a time (as serde_json does).
#[inline(always)]
fn special_in_string(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    /// The high bit of each byte that is zero in `x` (exact up to the first such byte).
    #[inline(always)]
    fn zero_bytes(x: u64) -> u64 {
        x.wrapping_sub(ONES) & !x & HIGH_BITS
    }
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let chunk = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let found = zero_bytes(chunk ^ (ONES * u64::from(b'"')))
            | zero_bytes(chunk ^ (ONES * u64::from(b'\\')))
            | (chunk.wrapping_sub(ONES * 0x20) & !chunk & HIGH_BITS);
        if found != 0 {
            return pos + (found.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = bytes.get(pos) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            break;
        }
        pos += 1;
    }
    pos
}

/// A string's JSON text, quotes included.
struct JsonString<'a> {
    text: &'a str,
    escaped: bool,
}

impl<'a> JsonString<'a> {
    /// The string's value: decoded only when it has escapes, and then by serde_json, which also
    /// refuses what the typed path refuses there (unpaired surrogates).
    fn value(&self) -> Result<std::borrow::Cow<'a, str>, Problem> {
        if !self.escaped {
            return Ok(std::borrow::Cow::Borrowed(&self.text[1..self.text.len() - 1]));
        }
        serde_json::from_str(self.text).map(std::borrow::Cow::Owned).map_err(|e| crate::error::serde_message(&e))
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, bytes: text.as_bytes(), pos: 0 }
    }

    // `inline(always)`: the wasm build optimises for size, and a call per byte for these two
    // would cost more than the scanning itself.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn end(&mut self) -> Result<(), Problem> {
        self.skip_whitespace();
        if self.pos == self.bytes.len() { Ok(()) } else { Err("trailing characters".into()) }
    }

    fn value(&mut self, depth: u32) -> Result<(), Problem> {
        self.skip_whitespace();
        match self.peek() {
            None => Err("EOF while parsing a value".into()),
            Some(b'"') => self.string().map(drop),
            Some(b'{') => {
                self.pos += 1;
                self.members(depth + 1, |scanner, _| scanner.value(depth + 1))
            }
            Some(b'[') => self.array(depth + 1).map(drop),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err("expected value".into()),
        }
    }

    /// The members of an object whose `{` was just read, up to its `}`; `member` reads each value
    /// (the scanner stands on it, whitespace skipped) given the member's name.
    fn members(
        &mut self,
        depth: u32,
        mut member: impl FnMut(&mut Self, JsonString<'a>) -> Result<(), Problem>,
    ) -> Result<(), Problem> {
        if depth >= MAX_DEPTH {
            return Err("recursion limit exceeded".into());
        }
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            match self.peek() {
                Some(b'"') => {}
                None => return Err("EOF while parsing an object".into()),
                Some(_) => return Err("key must be a string".into()),
            }
            let key = self.string()?;
            self.skip_whitespace();
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return Err("EOF while parsing an object".into()),
                Some(_) => return Err("expected `:`".into()),
            }
            self.skip_whitespace();
            member(self, key)?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                None => return Err("EOF while parsing an object".into()),
                Some(_) => return Err("expected `,` or `}`".into()),
            }
            self.skip_whitespace();
        }
    }

    /// An array (the scanner on its `[`), returning how many values it holds.
    fn array(&mut self, depth: u32) -> Result<usize, Problem> {
        if depth >= MAX_DEPTH {
            return Err("recursion limit exceeded".into());
        }
        self.pos += 1;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(0);
        }
        let mut count = 0;
        loop {
            self.value(depth)?;
            count += 1;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(count);
                }
                None => return Err("EOF while parsing a list".into()),
                Some(_) => return Err("expected `,` or `]`".into()),
            }
            self.skip_whitespace();
            if self.peek() == Some(b']') {
                return Err("trailing comma".into());
            }
        }
    }

    /// A string (the scanner on its opening quote).
    fn string(&mut self) -> Result<JsonString<'a>, Problem> {
        let start = self.pos;
        self.pos += 1;
        let mut escaped = false;
        loop {
            self.pos = special_in_string(self.bytes, self.pos);
            match self.peek().ok_or("EOF while parsing a string")? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                _ => return Err("control character (\\u0000-\\u001F) found while parsing a string".into()),
            }
        }
        self.pos += 1;
        Ok(JsonString { text: &self.text[start..self.pos], escaped })
    }

    /// An escape (the scanner on its backslash).
    fn escape(&mut self) -> Result<(), Problem> {
        self.pos += 1;
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
            // Any four hex digits: like serde_json's own skipping, unpaired surrogates are left
            // for the reader of the text to judge (JavaScript and Python accept them).
            Some(b'u') => match self.bytes.get(self.pos + 1..self.pos + 5) {
                Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => self.pos += 5,
                Some(_) => return Err("invalid escape".into()),
                None => return Err("EOF while parsing a string".into()),
            },
            Some(_) => return Err("invalid escape".into()),
            None => return Err("EOF while parsing a string".into()),
        }
        Ok(())
    }

    /// A string or `null`.
    fn optional_string(&mut self) -> Result<Option<String>, Problem> {
        match self.peek() {
            Some(b'"') => Ok(Some(self.string()?.value()?.into_owned())),
            Some(b'n') => self.literal("null").map(|()| None),
            _ => Err(self.invalid_type("a string")),
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Problem> {
        let end = self.pos + word.len();
        match self.bytes.get(self.pos..end) {
            Some(found) if found == word.as_bytes() => {
                self.pos = end;
                Ok(())
            }
            Some(_) => Err("expected ident".into()),
            None if word.as_bytes().starts_with(&self.bytes[self.pos..]) => Err("EOF while parsing a value".into()),
            None => Err("expected ident".into()),
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), Problem> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err("invalid number".into());
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err("invalid number".into()),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), Problem> {
        let start = self.pos;
        self.digits();
        if self.pos > start {
            Ok(())
        } else if self.pos == self.bytes.len() {
            Err("EOF while parsing a value".into())
        } else {
            Err("invalid number".into())
        }
    }

    /// serde_json's wording for a value of the wrong kind where `expected` should be.
    fn invalid_type(&self, expected: &str) -> Problem {
        let found = match self.peek() {
            None => return "EOF while parsing a value".into(),
            Some(b'{') => "map",
            Some(b'[') => "sequence",
            Some(b'"') => "string",
            Some(b'n') => "null",
            Some(b't' | b'f') => "boolean",
            Some(b'-' | b'0'..=b'9') => "number",
            Some(_) => return "expected value".into(),
        };
        format!("invalid type: {found}, expected {expected}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_what_display_writes() {
        let values = [
            serde_json::json!({"b": [1, 2.5, -0.0, 1e300, null], "a": "q\"u\u{1}ote\n", "c": {"d": true}}),
            serde_json::json!("stats"),
            serde_json::json!(12345678901234567890u64),
        ];
        for value in values {
            assert_eq!(text(&value), value.to_string());
        }
    }
    use serde::de::IgnoredAny;

    /// Texts on both sides of every rule of the grammar.
    const CASES: &[&str] = &[
        "",
        " ",
        "null",
        "nul",
        "nulL",
        "true",
        "false",
        "tru",
        "0",
        "-0",
        "01",
        "-",
        "-a",
        "1.",
        "1.5",
        ".5",
        "1e5",
        "1E+5",
        "1e-5",
        "1e",
        "1e+",
        "-12.5e-3",
        "1.2.3",
        "\"\"",
        "\"a",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
        "\"\\u00g9\"",
        "\"\\ud800\"",
        "\"\\x\"",
        "\"tab\there\"",
        "\"\\\"",
        "[]",
        "[ ]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1,2",
        "[",
        "{}",
        "{ }",
        "{\"a\":1}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{a:1}",
        "{\"a\":1",
        "{\"a\":[{\"b\":null}]}",
        "{\"\\u0061\":1}",
        "1 2",
        "{} x",
        " {\"a\" : [ 1 , { } ] } ",
        "[1]]",
        "{\"a\":1}}",
        "\u{feff}{}",
        "{\"emoji\":\"\u{1F600}\"}",
        "[-]",
        "[1e5,-0.0,3]",
        "[true,false,null]",
        "[tr]",
        "\"\u{7f}\"",
    ];

    #[test]
    fn it_accepts_exactly_what_serde_json_accepts() {
        for text in CASES {
            let ours = check(text);
            let serde = serde_json::from_str::<IgnoredAny>(text);
            assert_eq!(ours.is_ok(), serde.is_ok(), "{text:?}: ours {ours:?}, serde_json {serde:?}");
        }
        // Nesting is limited as when serde_json builds values (skipping, it has no limit).
        let deep = |n| "[".repeat(n) + &"]".repeat(n);
        for n in [127, 128, 129, 100_000] {
            let value = serde_json::from_str::<serde_json::Value>(&deep(n));
            assert_eq!(check(&deep(n)).is_ok(), value.is_ok(), "depth {n}");
        }
    }

    #[test]
    fn its_messages_are_serde_json_s_without_the_position() {
        for text in ["", "[1,2", "{\"a\" 1}", "1 2", "\"a", "[1 2]", "{\"a\":1,}"] {
            let serde = crate::error::serde_message(&serde_json::from_str::<IgnoredAny>(text).unwrap_err());
            assert_eq!(check(text).unwrap_err(), serde, "{text:?}");
        }
    }

    #[test]
    fn a_page_is_taken_apart_like_the_typed_page() {
        let text = r#" {"total": {"n": [1]}, "items": [ {"id":"a","tags":["x"]} , {"id":"b"} ], "nextCursor":"c\"2"} "#;
        let parts = page(text).unwrap();
        assert_eq!(parts.items, r#"[ {"id":"a","tags":["x"]} , {"id":"b"} ]"#);
        assert_eq!(parts.count, 2);
        assert_eq!(parts.next_cursor.as_deref(), Some("c\"2"));
        assert_eq!(page(r#"{"items":[],"nextCursor":null}"#).unwrap().next_cursor, None);
        assert_eq!(page(r#"{"nextCursor":"x","items":[]}"#).unwrap().next_cursor.as_deref(), Some("x"));
        assert_eq!(page(r#"{"\u0069tems":[1]}"#).unwrap().count, 1);
    }

    #[test]
    fn a_page_refuses_what_the_typed_page_refuses() {
        let typed = |text: &str| serde_json::from_str::<crate::Page<IgnoredAny>>(text).map(drop);
        for text in [
            r#"{"items":{"id":"a"}}"#,
            r#"{"items":null}"#,
            r#"{"items":[{"id":}]}"#,
            r#"{"nextCursor":"c"}"#,
            r#"{"items":[],"nextCursor":5}"#,
            r#"{"items":[],"items":[]}"#,
            r#"{"items":[]} []"#,
            r#"[{"items":[]}]"#,
            r#"{"items":[],"other":[1,]}"#,
        ] {
            let ours = page(text);
            assert!(ours.is_err() && typed(text).is_err(), "{text}: ours {ours:?}");
        }
        assert_eq!(page(r#"{"items":{"id":"a"}}"#).unwrap_err(), "invalid type: map, expected an array of items");
        assert_eq!(page(r#"{"nextCursor":"c"}"#).unwrap_err(), "missing field `items`");
    }

    /// Random edits of valid texts, with JSON's own characters: both checks agree with serde_json
    /// on every one (the fuzz target `json_scan` goes on from here).
    #[test]
    fn edited_texts_are_judged_like_serde_json_judges_them() {
        let seeds = [
            r#"{"items":[{"id":"a1","name":"Ops \"bot\"","tags":["x","y"],"n":-1.5e3,"ok":true,"gone":null}],"nextCursor":"c1"}"#,
            r#"{"items":[],"nextCursor":null,"total":{"n":[0,{}]}}"#,
            r#"[1,"\u00e9\n",{"a":[false]}]"#,
        ];
        let alphabet = b"{}[]:,\"\\ \n0-1.5eE+tfnaul/u";
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for round in 0..30_000 {
            let mut bytes = seeds[round % seeds.len()].as_bytes().to_vec();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len() + 1);
                let byte = alphabet[next(alphabet.len())];
                match next(3) {
                    0 if at < bytes.len() => drop(bytes.remove(at)),
                    1 if at < bytes.len() => bytes[at] = byte,
                    _ => bytes.insert(at, byte),
                }
            }
            let text = String::from_utf8(bytes).unwrap();
            let serde = serde_json::from_str::<IgnoredAny>(&text);
            assert_eq!(check(&text).is_ok(), serde.is_ok(), "{text}: {serde:?}");
            let typed = serde_json::from_str::<crate::Page<IgnoredAny>>(&text);
            match (page(&text), typed) {
                (Ok(ours), Ok(typed)) => {
                    assert_eq!(ours.count, typed.items.len(), "{text}");
                    assert_eq!(ours.next_cursor, typed.next_cursor, "{text}");
                    assert!(check(ours.items).is_ok(), "{text}");
                }
                (Err(_), Err(_)) => {}
                (ours, typed) => panic!("{text}: ours {ours:?}, typed {typed:?}"),
            }
        }
    }
}
