//! A tiny Cedar sanity checker for `POST /policy/validations`: statements start with
//! `permit(` or `forbid(` (optionally after `@annotations(...)`), brackets balance, strings
//! close, and each statement ends with `;`. Not a Cedar parser: enough to catch the mistakes
//! the tests exercise, with line and column.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: &'static str,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

struct Cursor {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek2(&self) -> Option<char> {
        self.chars.get(self.i + 1).copied()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
            self.i += 1;
        }
    }

    fn pos(&self) -> (usize, usize) {
        (self.line, self.col)
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => self.bump(),
                Some('/') if self.peek2() == Some('/') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => break,
            }
        }
    }

    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            w.push(c);
            self.bump();
        }
        w
    }
}

fn error(message: impl Into<String>, (line, column): (usize, usize)) -> Diagnostic {
    Diagnostic { severity: "error", message: message.into(), line, column }
}

/// Consumes a bracketed group starting at an opening bracket; stops after the matching
/// closer, or (when `statement`) after the `;` that follows at depth zero.
fn group(c: &mut Cursor, statement: bool, start: (usize, usize)) -> Result<(), Diagnostic> {
    let mut stack: Vec<(char, (usize, usize))> = Vec::new();
    loop {
        let Some(ch) = c.peek() else {
            return Err(match stack.last() {
                Some((open, at)) => error(format!("unclosed `{open}`"), *at),
                None => error("statement must end with `;`", start),
            });
        };
        let here = c.pos();
        match ch {
            '"' => {
                c.bump();
                loop {
                    match c.peek() {
                        None => return Err(error("unterminated string literal", here)),
                        Some('\\') => {
                            c.bump();
                            c.bump();
                        }
                        Some('"') => {
                            c.bump();
                            break;
                        }
                        Some(_) => c.bump(),
                    }
                }
                continue;
            }
            '/' if c.peek2() == Some('/') => {
                c.skip_trivia();
                continue;
            }
            '(' | '[' | '{' => stack.push((ch, here)),
            ')' | ']' | '}' => {
                let want = match ch {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match stack.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, _)) => {
                        let close = match open {
                            '(' => ')',
                            '[' => ']',
                            _ => '}',
                        };
                        return Err(error(format!("mismatched `{ch}`; expected `{close}`"), here));
                    }
                    None => return Err(error(format!("unexpected `{ch}`"), here)),
                }
                if !statement && stack.is_empty() {
                    c.bump();
                    return Ok(());
                }
            }
            ';' if stack.is_empty() && statement => {
                c.bump();
                return Ok(());
            }
            ';' => {
                let open = stack.last().map(|(o, _)| *o).unwrap_or('(');
                return Err(error(format!("unexpected `;` inside `{open}`"), here));
            }
            _ => {}
        }
        c.bump();
    }
}

/// One statement of a policy text: its source (annotations included, up to its `;`), its
/// annotations (`@id("x")` → `("id", Some("x"))`) and its effect (`permit` or `forbid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub source: String,
    pub annotations: Vec<(String, Option<String>)>,
    pub effect: String,
    /// The statement from its effect on (without the annotations).
    pub body: String,
    pub line: usize,
    pub column: usize,
}

impl Statement {
    /// The value of the first annotation with this name (`@id("x")` → `x`).
    pub fn annotation(&self, name: &str) -> Option<&str> {
        self.annotations.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.as_deref())
    }
}

/// The single string literal of an annotation group `("...")`, unescaped (`\"` and `\\`).
fn literal(group: &[char]) -> Option<String> {
    let inner: String = group.iter().collect();
    let inner = inner.trim().strip_prefix('(')?.strip_suffix(')')?.trim();
    let body = inner.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            other => out.push(other),
        }
    }
    Some(out)
}

/// The statements of a policy text, or the first diagnostic.
pub fn statements(text: &str) -> Result<Vec<Statement>, Diagnostic> {
    let mut c = Cursor { chars: text.chars().collect(), i: 0, line: 1, col: 1 };
    let mut out = Vec::new();
    loop {
        c.skip_trivia();
        if c.peek().is_none() {
            return Ok(out);
        }
        let start = c.pos();
        let first = c.i;
        let mut annotations = Vec::new();
        while c.peek() == Some('@') {
            c.bump();
            let name = c.word();
            c.skip_trivia();
            if c.peek() != Some('(') {
                return Err(error("expected `(` after annotation", c.pos()));
            }
            let open = c.i;
            group(&mut c, false, start)?;
            annotations.push((name, literal(&c.chars[open..c.i])));
            c.skip_trivia();
        }
        let at = c.pos();
        let body_start = c.i;
        let word = c.word();
        if word != "permit" && word != "forbid" {
            let found = if word.is_empty() { c.peek().map(String::from).unwrap_or_default() } else { word };
            return Err(error(format!("expected `permit` or `forbid`, found `{found}`"), at));
        }
        c.skip_trivia();
        if c.peek() != Some('(') {
            return Err(error(format!("expected `(` after `{word}`"), c.pos()));
        }
        group(&mut c, true, at)?;
        out.push(Statement {
            source: c.chars[first..c.i].iter().collect(),
            annotations,
            effect: word,
            body: c.chars[body_start..c.i].iter().collect(),
            line: start.0,
            column: start.1,
        });
    }
}

/// Returns the number of statements and the diagnostics (empty when valid).
pub fn check(text: &str) -> (usize, Vec<Diagnostic>) {
    match statements(text) {
        Ok(list) => (list.len(), Vec::new()),
        // Only a count of complete statements before the error was reported before; callers
        // read the count of valid texts only.
        Err(d) => (0, vec![d]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_policies() {
        assert_eq!(check(""), (0, vec![]));
        assert_eq!(check("// nothing\n"), (0, vec![]));
        let text = "@id(\"a\")\npermit(principal, action == Action::\"read\", resource)\nwhen { context.x == \"(;\" };\nforbid(principal, action, resource);";
        assert_eq!(check(text), (2, vec![]));
    }

    #[test]
    fn splits_statements_with_their_annotations() {
        let text = "@id(\"a\") @ask(\"prompt\")\npermit(principal, action, resource);\n// c\nforbid(principal, action, resource) when { x == \"q\\\"\" };";
        let list = statements(text).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].annotation("id"), Some("a"));
        assert_eq!(list[0].annotation("ask"), Some("prompt"));
        assert_eq!(list[0].source, "@id(\"a\") @ask(\"prompt\")\npermit(principal, action, resource);");
        assert_eq!((list[1].effect.as_str(), list[1].line, list[1].annotation("id")), ("forbid", 4, None));
        assert_eq!(list[0].body, "permit(principal, action, resource);");
        assert_eq!(statements("@id(x) permit(principal, action, resource);").unwrap()[0].annotation("id"), None);
    }

    #[test]
    fn reports_errors_with_positions() {
        let (_, d) = check("allow(principal, action, resource);");
        assert_eq!((d[0].line, d[0].column), (1, 1));
        let (_, d) = check("permit(principal, action, resource)");
        assert!(d[0].message.contains(";"));
        let (_, d) = check("permit(principal, action, resource;\n");
        assert!(d[0].message.contains("unexpected `;`"));
        let (_, d) = check("permit(principal, action, resource) when { x ];");
        assert_eq!(d[0].message, "mismatched `]`; expected `}`");
        let (_, d) = check("permit(principal, action, resource);\nforbid(principal");
        assert_eq!((d[0].line, d[0].column), (2, 7));
    }
}
