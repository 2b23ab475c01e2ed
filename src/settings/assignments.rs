//! A reader for `KEY="value"` (dotenv) and `export KEY='value'` (POSIX shell) lines. Owns quoting rules on the
//! way in; must not know what the keys mean (that is `parse.rs`) and must not put a value in an error.

use zeroize::Zeroizing;

/// One `KEY=value` line, with where the key starts for messages.
pub(crate) struct Assignment {
    pub key: String,
    pub line: usize,
    pub column: usize,
    pub value: Zeroizing<String>,
}

/// What went wrong, and where: 1-based line and column.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

struct Cursor<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    column: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.offset..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    fn rest_starts_with(&self, prefix: &str) -> bool {
        self.text.get(self.offset..).is_some_and(|rest| rest.starts_with(prefix))
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { line: self.line, column: self.column, message: message.into() }
    }
}

/// Reads every assignment. Blank lines and `#` comments are skipped; `export ` in front is optional.
pub(crate) fn read(text: &str) -> Result<Vec<Assignment>, SyntaxError> {
    let mut cursor = Cursor { text, offset: 0, line: 1, column: 1 };
    let mut assignments = Vec::new();
    loop {
        cursor.skip_blanks();
        match cursor.peek() {
            None => return Ok(assignments),
            Some('\n') => {
                cursor.bump();
                continue;
            }
            Some('#') => {
                cursor.skip_line();
                continue;
            }
            Some(_) => {}
        }
        if cursor.rest_starts_with("export ") || cursor.rest_starts_with("export\t") {
            for _ in 0.."export".len() {
                cursor.bump();
            }
            cursor.skip_blanks();
        }
        let (line, column) = (cursor.line, cursor.column);
        let key = read_key(&mut cursor)?;
        cursor.skip_blanks();
        if cursor.bump() != Some('=') {
            return Err(SyntaxError {
                line,
                column,
                message: format!("expected `=` after `{key}` (lines look like KEY=\"value\")"),
            });
        }
        cursor.skip_blanks();
        let value = read_value(&mut cursor)?;
        cursor.skip_blanks();
        match cursor.peek() {
            None | Some('\n') => {}
            Some('#') => cursor.skip_line(),
            Some(_) => {
                return Err(cursor.error(format!("unexpected text after the value of `{key}`; quote the whole value")));
            }
        }
        assignments.push(Assignment { key, line, column, value });
    }
}

fn read_key(cursor: &mut Cursor<'_>) -> Result<String, SyntaxError> {
    let mut key = String::new();
    while let Some(c) = cursor.peek() {
        if c.is_ascii_alphanumeric() || c == '_' {
            key.push(c);
            cursor.bump();
        } else {
            break;
        }
    }
    if key.is_empty() || key.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(cursor.error("expected a variable name such as SALESFORCE_CLIENT_ID"));
    }
    Ok(key)
}

/// A value: quoted and unquoted pieces next to each other, as a shell joins `'it'\''s'`.
fn read_value(cursor: &mut Cursor<'_>) -> Result<Zeroizing<String>, SyntaxError> {
    let mut value = Zeroizing::new(String::new());
    loop {
        match cursor.peek() {
            None | Some(' ' | '\t' | '\r' | '\n') => return Ok(value),
            Some('"') => read_double_quoted(cursor, &mut value)?,
            Some('\'') => read_single_quoted(cursor, &mut value)?,
            Some('\\') => {
                cursor.bump();
                match cursor.bump() {
                    Some(c) => value.push(c),
                    None => {
                        return Err(cursor.error("a backslash ends the file; remove it or quote the value"));
                    }
                }
            }
            Some(c) => {
                value.push(c);
                cursor.bump();
            }
        }
    }
}

fn read_double_quoted(cursor: &mut Cursor<'_>, value: &mut String) -> Result<(), SyntaxError> {
    let opened = cursor.error("the double quote opened here is never closed; add the closing \"");
    cursor.bump();
    loop {
        match cursor.bump() {
            None => return Err(opened),
            Some('"') => return Ok(()),
            Some('\\') => match cursor.bump() {
                None => return Err(opened),
                Some('n') => value.push('\n'),
                Some('r') => value.push('\r'),
                Some('t') => value.push('\t'),
                Some(c) => value.push(c),
            },
            Some(c) => value.push(c),
        }
    }
}

fn read_single_quoted(cursor: &mut Cursor<'_>, value: &mut String) -> Result<(), SyntaxError> {
    let opened = cursor.error("the single quote opened here is never closed; add the closing '");
    cursor.bump();
    loop {
        match cursor.bump() {
            None => return Err(opened),
            Some('\'') => return Ok(()),
            Some(c) => value.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String)> {
        read(text).map(|all| all.into_iter().map(|a| (a.key, a.value.to_string())).collect()).unwrap_or_default()
    }

    #[test]
    fn reads_the_quoting_people_write_by_hand() {
        let text = "# comment\nA=\"x \\\"y\\\" \\$HOME\\n\"\nexport B='it'\\''s'\n  C = plain # trailing\n";
        assert_eq!(
            values(text),
            vec![("A".into(), "x \"y\" $HOME\n".into()), ("B".into(), "it's".into()), ("C".into(), "plain".into())]
        );
    }

    #[test]
    fn an_unclosed_quote_points_at_where_it_opened() {
        let err = read("A=\"ok\"\nB='never closed\nC=1\n").err();
        let err = err.map(|e| (e.line, e.column));
        assert_eq!(err, Some((2, 3)));
    }
}
