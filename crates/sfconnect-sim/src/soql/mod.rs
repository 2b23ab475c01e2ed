//! SOQL as the simulator reads it: the syntax tree, and [`parse`] from text (grammar in `grammar.rs`, a winnow
//! parser; date literals such as `LAST_N_DAYS:30` in `dates.rs`). Syntax only: whether the object and fields
//! exist is for `query.rs` to say. What the grammar does not cover answers `MALFORMED_QUERY` worded as
//! Salesforce words it since Summer '24: the query, a caret under the column, `ERROR at Row:1:Column:N`, and
//! `unexpected token: 'X'` (docs/protocol.md, "SOQL").

mod dates;
mod grammar;

#[cfg(test)]
use dates::DateUnit;
pub use dates::{DateLiteral, parse_instant};

use super::query::QueryError;

/// A name as written in the query, with its 1-based column (for error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub name: String,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    /// `2026-01-05`: midnight UTC that day, in epoch seconds.
    Date(i64),
    /// `2026-01-05T09:00:00Z`, in epoch seconds.
    DateTime(i64),
    /// `TODAY`, `LAST_N_DAYS:30`…: a span resolved against the clock when the query runs.
    Relative(DateLiteral),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Like,
    In,
    NotIn,
}

/// A `WHERE` clause. SOQL does not let `AND` and `OR` mix without parentheses, so each level is one of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare { field: Located, operator: Operator, values: Vec<Literal> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    CountDistinct,
    Min,
    Max,
    Sum,
    Avg,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    Field {
        path: Located,
        alias: Option<String>,
    },
    /// `COUNT()` is `Count` with no field.
    Aggregate {
        function: Aggregate,
        field: Option<Located>,
        alias: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderKey {
    Field(Located),
    Aggregate(Aggregate, Located),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub key: OrderKey,
    pub descending: bool,
    /// `NULLS LAST` / `NULLS FIRST`; when absent nulls come first, as Salesforce sorts them by default.
    pub nulls_last: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub select: Vec<SelectItem>,
    pub object: Located,
    pub filter: Option<Condition>,
    pub group_by: Vec<Located>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

impl Parsed {
    /// `SELECT COUNT() FROM …`: the answer is only `totalSize`.
    pub fn is_count_only(&self) -> bool {
        matches!(self.select.as_slice(), [SelectItem::Aggregate { function: Aggregate::Count, field: None, .. }])
    }

    /// Grouped or aggregated: rows become `AggregateResult` records.
    pub fn is_aggregate(&self) -> bool {
        !self.is_count_only()
            && (!self.group_by.is_empty() || self.select.iter().any(|s| matches!(s, SelectItem::Aggregate { .. })))
    }
}

pub fn parse(soql: &str) -> Result<Parsed, QueryError> {
    grammar::query(soql).map_err(|offset| {
        let (token, column) = grammar::token_at(soql, offset);
        malformed_at(soql, column, &format!("unexpected token: '{token}'"))
    })
}

/// `MALFORMED_QUERY` pointing at `column` (1-based) of a one-line query.
pub fn malformed_at(soql: &str, column: usize, message: &str) -> QueryError {
    QueryError::malformed(format!("{}{message}", pointer(soql, column)))
}

/// The lines Salesforce puts before a query error: the query, a caret under the column, and where it is.
pub fn pointer(soql: &str, column: usize) -> String {
    format!("\n{soql}\n{}^\nERROR at Row:1:Column:{column}\n", " ".repeat(column.saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(parsed: &Parsed, n: usize) -> &str {
        match &parsed.select[n] {
            SelectItem::Field { path, .. } => &path.name,
            other => panic!("not a field: {other:?}"),
        }
    }

    #[test]
    fn parses_the_prerequisite_queries() {
        let parsed = parse("SELECT Id, Profile.UserLicense.Name FROM User WHERE Id = '005x' LIMIT 1").unwrap();
        assert_eq!(parsed.object.name, "User");
        assert_eq!(parsed.object.column, 42);
        assert_eq!(parsed.limit, Some(1));
        assert_eq!(field(&parsed, 1), "Profile.UserLicense.Name");
        let Some(Condition::Compare { field, operator, values }) = parsed.filter else { panic!() };
        assert_eq!((field.name.as_str(), field.column), ("Id", 53));
        assert_eq!(operator, Operator::Equal);
        assert_eq!(values, vec![Literal::Text("005x".into())]);
    }

    #[test]
    fn and_or_not_nest_with_parentheses() {
        let parsed = parse(
            "select Id from User where (IsActive = true or Email like '%@acme.com') and not Username in ('a','b')",
        )
        .unwrap();
        let Some(Condition::And(parts)) = parsed.filter else { panic!("{:?}", parsed.filter) };
        assert!(matches!(&parts[0], Condition::Or(or) if or.len() == 2));
        assert!(
            matches!(&parts[1], Condition::Not(inner) if matches!(**inner, Condition::Compare { operator: Operator::In, .. }))
        );
    }

    #[test]
    fn and_and_or_without_parentheses_is_malformed_as_salesforce_says() {
        let err = parse("SELECT Id FROM User WHERE IsActive = true AND Name = 'a' OR Name = 'b'").unwrap_err();
        assert_eq!(err.code, "MALFORMED_QUERY");
        assert!(err.message.ends_with("unexpected token: 'OR'"), "{}", err.message);
        assert!(err.message.contains("ERROR at Row:1:Column:58"), "{}", err.message);
    }

    #[test]
    fn aggregates_group_order_limit_offset() {
        let parsed = parse(
            "SELECT Profile.Name, COUNT(Id) total FROM User GROUP BY Profile.Name ORDER BY COUNT(Id) DESC NULLS LAST \
             LIMIT 10 OFFSET 5",
        )
        .unwrap();
        assert!(parsed.is_aggregate());
        assert!(
            matches!(&parsed.select[1], SelectItem::Aggregate { function: Aggregate::Count, alias: Some(a), .. } if a == "total")
        );
        assert_eq!(parsed.group_by[0].name, "Profile.Name");
        assert_eq!(parsed.order_by[0].nulls_last, Some(true));
        assert_eq!((parsed.limit, parsed.offset), (Some(10), Some(5)));
        assert!(parse("SELECT COUNT() FROM User").unwrap().is_count_only());
    }

    #[test]
    fn date_literals_and_values() {
        let parsed = parse(
            "SELECT Id FROM OauthToken WHERE CreatedDate = LAST_N_DAYS:30 AND LastUsedDate > 2026-01-05T09:00:00Z",
        )
        .unwrap();
        let Some(Condition::And(parts)) = parsed.filter else { panic!() };
        assert!(
            matches!(&parts[0], Condition::Compare { values, .. } if values[0] == Literal::Relative(DateLiteral::Last(30, DateUnit::Day)))
        );
        assert!(
            matches!(&parts[1], Condition::Compare { values, .. } if values[0] == Literal::DateTime(1_767_603_600))
        );
    }

    #[test]
    fn rejects_garbage_as_malformed() {
        for bad in [
            "SELEC Id FROM User",
            "SELECT Id FROM User WHERE",
            "SELECT FROM User",
            "SELECT Id FROM User LIMIT x",
            "SELECT Id FROM User WHERE Name = 'open",
            "SELECT Id FROM User WHERE CreatedDate = LAST_N_DAYS",
            "SELECT MAX() FROM User",
            "SELECT Id FROM User WHERE Name = 'a' AND",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code, "MALFORMED_QUERY", "{bad}");
            assert!(err.message.contains("unexpected token: '"), "{bad}: {}", err.message);
        }
        let err = parse("SELECT Id FROM User WHERE").unwrap_err();
        assert!(err.message.ends_with("unexpected token: '<EOF>'"), "{}", err.message);
    }
}
