//! `WHERE` evaluated on a row: `AND`/`OR`/`NOT`, comparisons with SOQL's rules (text without regard to case,
//! a 15-char id equal to its 18-char form, dates against spans such as `LAST_N_DAYS:30`), `LIKE` and `IN`.

use std::cmp::Ordering;

use serde_json::Value;

use super::describe::field_type;
use super::query::lookup;
use super::soql::{Literal, Operator, parse_instant};

/// A condition whose fields are resolved to the object's canonical paths.
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare { path: &'static str, operator: Operator, values: Vec<Literal> },
}

impl Filter {
    pub fn follows_relationship(&self) -> bool {
        match self {
            Filter::And(parts) | Filter::Or(parts) => parts.iter().any(Filter::follows_relationship),
            Filter::Not(inner) => inner.follows_relationship(),
            Filter::Compare { path, .. } => path.contains('.'),
        }
    }

    pub fn matches(&self, row: &Value, now: i64) -> bool {
        match self {
            Filter::And(parts) => parts.iter().all(|p| p.matches(row, now)),
            Filter::Or(parts) => parts.iter().any(|p| p.matches(row, now)),
            Filter::Not(inner) => !inner.matches(row, now),
            Filter::Compare { path, operator, values } => {
                let value = lookup(row, path);
                let temporal = field_type(path.rsplit('.').next().unwrap_or(path)) == "datetime";
                let equal = |literal: &Literal| compare_literal(value, literal, temporal, now) == Some(Ordering::Equal);
                match operator {
                    Operator::In => values.iter().any(equal),
                    Operator::NotIn => !values.iter().any(equal),
                    Operator::Like => match (value, values.first()) {
                        (Value::String(text), Some(Literal::Text(pattern))) => like(text, pattern),
                        _ => false,
                    },
                    Operator::NotEqual => values.first().is_some_and(|l| !equal(l)),
                    _ => values.first().and_then(|l| compare_literal(value, l, temporal, now)).is_some_and(|o| {
                        match operator {
                            Operator::Equal => o.is_eq(),
                            Operator::Less => o.is_lt(),
                            Operator::LessOrEqual => o.is_le(),
                            Operator::Greater => o.is_gt(),
                            _ => o.is_ge(),
                        }
                    }),
                }
            }
        }
    }
}

/// How a field value stands against a literal: `Some(Equal)` inside a date span, `Less` before it, `Greater`
/// after it; `None` when they cannot be compared (a null against anything but `null`, text against a number).
fn compare_literal(value: &Value, literal: &Literal, temporal: bool, now: i64) -> Option<Ordering> {
    let span = match literal {
        Literal::Date(day) => Some((*day, day + 86_400)),
        Literal::DateTime(t) => Some((*t, t + 1)),
        Literal::Relative(relative) => Some(relative.span(now)),
        _ => None,
    };
    match (value, literal, span) {
        (Value::Null, Literal::Null, _) => Some(Ordering::Equal),
        (Value::Null, _, _) | (_, Literal::Null, _) => None,
        (Value::String(text), _, Some((start, end))) => {
            let at = parse_instant(text)?;
            Some(if at < start {
                Ordering::Less
            } else if at >= end {
                Ordering::Greater
            } else {
                Ordering::Equal
            })
        }
        (Value::String(v), Literal::Text(t), None) if temporal => Some(parse_instant(v)?.cmp(&parse_instant(t)?)),
        (Value::String(v), Literal::Text(t), None) => {
            Some(if same_text(t, v) { Ordering::Equal } else { v.to_lowercase().cmp(&t.to_lowercase()) })
        }
        (Value::Number(v), Literal::Number(n), None) => v.as_f64()?.partial_cmp(n),
        (Value::Bool(v), Literal::Bool(b), None) => Some(v.cmp(b)),
        _ => None,
    }
}

/// SOQL `=` on text: without regard to case, and a 15-char id equals its 18-char form.
fn same_text(literal: &str, value: &str) -> bool {
    literal.eq_ignore_ascii_case(value)
        || (literal.len() == 15 && value.len() == 18 && value.starts_with(literal))
        || (literal.len() == 18 && value.len() == 15 && literal.starts_with(value))
}

/// SOQL `LIKE`: `%` any run, `_` one character, `\%` and `\_` themselves; without regard to case.
fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Piece {
        Any,
        One,
        Char(char),
    }
    let mut pieces = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        pieces.push(match c {
            '%' => Piece::Any,
            '_' => Piece::One,
            '\\' => Piece::Char(chars.next().unwrap_or('\\')),
            other => Piece::Char(other),
        });
    }
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let pieces: Vec<Piece> = pieces
        .into_iter()
        .flat_map(|p| match p {
            Piece::Char(c) => c.to_lowercase().map(Piece::Char).collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect();
    // Classic wildcard matching with one backtrack point for the last `%`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pieces.get(p) {
            Some(Piece::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Piece::One) => {
                t += 1;
                p += 1;
            }
            Some(Piece::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pieces[p..].iter().all(|piece| *piece == Piece::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_wildcards_without_regard_to_case() {
        assert!(like("admin@ACME.com", "%@acme.com"));
        assert!(like("betty", "b_tty"));
        assert!(like("a%b", "a\\%b"));
        assert!(!like("axb", "a\\%b"));
        assert!(like("anything", "%"));
        assert!(!like("admin@acme.com", "%.uk"));
        assert!(like("x.co.uk", "%co%uk"));
    }
}
