//! Parsing the SOQL subset the simulator understands into a [`Parsed`] query. Syntax only: whether the object
//! and fields exist is for `query.rs` to say. Parse failures are `MALFORMED_QUERY`, worded like Salesforce's
//! ("unexpected token: 'X'").

use super::query::QueryError;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

/// `field = v`, `field != v`, `field IN (…)`, `field NOT IN (…)`.
#[derive(Debug)]
pub struct Condition {
    pub field: String,
    /// 1-based column of the field in the query, for error messages.
    pub column: usize,
    pub values: Vec<Literal>,
    pub negated: bool,
}

#[derive(Debug)]
pub enum Selection {
    /// `COUNT()`
    Count,
    /// Field paths with their columns.
    Fields(Vec<(String, usize)>),
}

#[derive(Debug)]
pub struct Parsed {
    pub selection: Selection,
    pub object: String,
    pub object_column: usize,
    /// ANDed.
    pub conditions: Vec<Condition>,
    /// Field, column, descending.
    pub order_by: Option<(String, usize, bool)>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
}

fn tokenize(soql: &str) -> Result<Vec<(Token, usize)>, QueryError> {
    let chars: Vec<char> = soql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            tokens.push((Token::Word(chars[start..i].iter().collect()), column));
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            tokens.push((Token::Number(chars[start..i].iter().collect()), column));
        } else if c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(QueryError::malformed(format!("unexpected token: '{}'", soql)));
                    }
                    Some('\\') => {
                        if let Some(escaped) = chars.get(i + 1) {
                            text.push(*escaped);
                        }
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        text.push(*other);
                        i += 1;
                    }
                }
            }
            tokens.push((Token::Text(text), column));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = match (two.as_str(), c) {
                ("!=", _) => "!=",
                ("<>", _) => "<>",
                (_, ',') => ",",
                (_, '(') => "(",
                (_, ')') => ")",
                (_, '=') => "=",
                _ => return Err(QueryError::malformed(format!("unexpected token: '{c}'"))),
            };
            i += symbol.len();
            tokens.push((Token::Symbol(symbol), column));
        }
    }
    Ok(tokens)
}

struct Cursor {
    tokens: Vec<(Token, usize)>,
    at: usize,
}

impl Cursor {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn next(&mut self) -> Option<(Token, usize)> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    fn unexpected(&self) -> QueryError {
        let shown = match self.tokens.get(self.at) {
            Some((Token::Word(w) | Token::Number(w), _)) => w.clone(),
            Some((Token::Text(t), _)) => format!("'{t}'"),
            Some((Token::Symbol(s), _)) => s.to_string(),
            None => "<EOF>".to_string(),
        };
        QueryError::malformed(format!("unexpected token: '{shown}'"))
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), QueryError> {
        if self.peek_keyword(keyword) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn symbol(&mut self, symbol: &str) -> Result<(), QueryError> {
        if self.peek()
            == Some(&Token::Symbol(match symbol {
                "(" => "(",
                ")" => ")",
                _ => ",",
            }))
        {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn word(&mut self) -> Result<(String, usize), QueryError> {
        match self.tokens.get(self.at) {
            Some((Token::Word(w), column)) if !is_reserved(w) => {
                let found = (w.clone(), *column);
                self.at += 1;
                Ok(found)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        let literal = match self.peek() {
            Some(Token::Text(t)) => Literal::Text(t.clone()),
            Some(Token::Number(n)) => Literal::Number(n.parse().map_err(|_| self.unexpected())?),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(literal)
    }
}

fn is_reserved(word: &str) -> bool {
    ["select", "from", "where", "and", "or", "not", "in", "order", "by", "limit", "group", "having", "offset"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

pub fn parse(soql: &str) -> Result<Parsed, QueryError> {
    let mut cursor = Cursor { tokens: tokenize(soql)?, at: 0 };
    cursor.keyword("SELECT")?;
    let selection = if cursor.peek_keyword("COUNT") {
        cursor.next();
        cursor.symbol("(")?;
        cursor.symbol(")")?;
        Selection::Count
    } else {
        let mut fields = vec![cursor.word()?];
        while cursor.peek() == Some(&Token::Symbol(",")) {
            cursor.next();
            fields.push(cursor.word()?);
        }
        Selection::Fields(fields)
    };
    cursor.keyword("FROM")?;
    let (object, object_column) = cursor.word()?;
    let mut conditions = Vec::new();
    if cursor.peek_keyword("WHERE") {
        cursor.next();
        conditions.push(condition(&mut cursor)?);
        while cursor.peek_keyword("AND") {
            cursor.next();
            conditions.push(condition(&mut cursor)?);
        }
    }
    let mut order_by = None;
    if cursor.peek_keyword("ORDER") {
        cursor.next();
        cursor.keyword("BY")?;
        let (field, column) = cursor.word()?;
        let descending = if cursor.peek_keyword("DESC") {
            cursor.next();
            true
        } else {
            if cursor.peek_keyword("ASC") {
                cursor.next();
            }
            false
        };
        order_by = Some((field, column, descending));
    }
    let mut limit = None;
    if cursor.peek_keyword("LIMIT") {
        cursor.next();
        match cursor.next() {
            Some((Token::Number(n), _)) => {
                limit = Some(n.parse().map_err(|_| QueryError::malformed(format!("unexpected token: '{n}'")))?);
            }
            _ => {
                cursor.at -= 1;
                return Err(cursor.unexpected());
            }
        }
    }
    if cursor.peek().is_some() {
        return Err(cursor.unexpected());
    }
    Ok(Parsed { selection, object, object_column, conditions, order_by, limit })
}

fn condition(cursor: &mut Cursor) -> Result<Condition, QueryError> {
    let (field, column) = cursor.word()?;
    let (negated, values) = match cursor.next() {
        Some((Token::Symbol("="), _)) => (false, vec![cursor.literal()?]),
        Some((Token::Symbol("!=" | "<>"), _)) => (true, vec![cursor.literal()?]),
        Some((Token::Word(w), _)) if w.eq_ignore_ascii_case("IN") => (false, list(cursor)?),
        Some((Token::Word(w), _)) if w.eq_ignore_ascii_case("NOT") => {
            cursor.keyword("IN")?;
            (true, list(cursor)?)
        }
        _ => {
            cursor.at -= 1;
            return Err(cursor.unexpected());
        }
    };
    Ok(Condition { field, column, values, negated })
}

fn list(cursor: &mut Cursor) -> Result<Vec<Literal>, QueryError> {
    cursor.symbol("(")?;
    let mut values = vec![cursor.literal()?];
    while cursor.peek() == Some(&Token::Symbol(",")) {
        cursor.next();
        values.push(cursor.literal()?);
    }
    cursor.symbol(")")?;
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_prerequisite_queries() {
        let parsed = parse("SELECT Id, Profile.UserLicense.Name FROM User WHERE Id = '005x' LIMIT 1").unwrap();
        assert_eq!(parsed.object, "User");
        assert_eq!(parsed.limit, Some(1));
        assert_eq!(parsed.conditions[0].values, vec![Literal::Text("005x".into())]);
        assert!(matches!(parsed.selection, Selection::Fields(ref f) if f[1].0 == "Profile.UserLicense.Name"));
    }

    #[test]
    fn rejects_garbage_as_malformed() {
        let err = parse("SELEC Id FROM User").unwrap_err();
        assert_eq!(err.code, "MALFORMED_QUERY");
        assert!(parse("SELECT Id FROM User WHERE").is_err());
        assert!(parse("SELECT FROM User").is_err());
    }
}
