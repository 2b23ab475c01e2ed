//! The SOQL grammar, as winnow parsers over the query text. Each keyword commits (`cut_err`) to what must
//! follow it, so a failure is reported where the offending token is, not where backtracking stopped; the
//! caller turns that offset into Salesforce's `unexpected token: 'X'`.

use winnow::ascii::{Caseless, digit1, multispace0};
use winnow::combinator::{alt, cut_err, delimited, eof, not, opt, preceded, repeat, separated, terminated};
use winnow::error::{ContextError, ErrMode};
use winnow::prelude::*;
use winnow::stream::{LocatingSlice, Location};
use winnow::token::{one_of, take_while};

use super::dates::{DateLiteral, parse_instant};
use super::{Aggregate, Condition, Literal, Located, Operator, OrderItem, OrderKey, Parsed, SelectItem};

type Input<'a> = LocatingSlice<&'a str>;

/// Words that end a list or a clause, so they cannot be field names or aliases.
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "GROUP", "HAVING", "LIMIT", "OFFSET",
    "ASC", "DESC", "NULLS", "TRUE", "FALSE", "NULL", "WITH", "FOR", "USING", "INCLUDES", "EXCLUDES", "TYPEOF",
];

/// The whole query, or the byte offset where it stops making sense.
pub fn query(soql: &str) -> Result<Parsed, usize> {
    terminated(select_query, (multispace0, eof)).parse(LocatingSlice::new(soql)).map_err(|e| e.offset())
}

/// The token at byte `offset` (after any blanks) as an error message shows it, and its 1-based column.
pub fn token_at(soql: &str, offset: usize) -> (String, usize) {
    let rest = soql.get(offset..).unwrap_or_default();
    let trimmed = rest.trim_start();
    let column = offset + (rest.len() - trimmed.len()) + 1;
    let token = if trimmed.is_empty() {
        "<EOF>".to_string()
    } else if trimmed.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        trimmed.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')).collect()
    } else if trimmed.starts_with('\'') {
        trimmed.split_inclusive('\'').take(2).collect()
    } else if ["!=", "<>", "<=", ">="].iter().any(|op| trimmed.starts_with(op)) {
        trimmed[..2].to_string()
    } else {
        trimmed.chars().next().map(String::from).unwrap_or_default()
    };
    (token, column)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A keyword, in any case, not followed by more of a name.
fn keyword<'a>(word: &'static str) -> impl Parser<Input<'a>, (), ErrMode<ContextError>> {
    preceded(multispace0, terminated(Caseless(word), not(one_of(is_name_char)))).void()
}

fn symbol<'a>(text: &'static str) -> impl Parser<Input<'a>, (), ErrMode<ContextError>> {
    preceded(multispace0, text).void()
}

/// A name: a letter or `_`, then letters, digits and `_`.
fn name<'a>(input: &mut Input<'a>) -> ModalResult<&'a str> {
    (one_of(|c: char| c.is_ascii_alphabetic() || c == '_'), take_while(0.., is_name_char)).take().parse_next(input)
}

/// A field path (`Profile.UserLicense.Name`) that is not a reserved word, with its column.
fn path(input: &mut Input<'_>) -> ModalResult<Located> {
    multispace0.parse_next(input)?;
    let start = input.current_token_start();
    let text = (name, repeat::<_, _, (), _, _>(0.., ('.', name)))
        .take()
        .verify(|text: &str| !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(text)))
        .parse_next(input)?;
    Ok(Located { name: text.to_string(), column: start + 1 })
}

fn alias(input: &mut Input<'_>) -> ModalResult<String> {
    preceded(multispace0, name)
        .verify(|text: &str| !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(text)))
        .map(str::to_string)
        .parse_next(input)
}

fn number<'a>(input: &mut Input<'a>) -> ModalResult<usize> {
    preceded(multispace0, digit1).try_map(str::parse::<usize>).parse_next(input)
}

fn aggregate_function(input: &mut Input<'_>) -> ModalResult<Aggregate> {
    alt((
        keyword("COUNT_DISTINCT").value(Aggregate::CountDistinct),
        keyword("COUNT").value(Aggregate::Count),
        keyword("MIN").value(Aggregate::Min),
        keyword("MAX").value(Aggregate::Max),
        keyword("SUM").value(Aggregate::Sum),
        keyword("AVG").value(Aggregate::Avg),
    ))
    .parse_next(input)
}

/// `COUNT()`, `COUNT(Id)`, `MAX(CreatedDate)`: the function, then its parenthesised field (only `COUNT` may
/// have none).
fn aggregate_call(input: &mut Input<'_>) -> ModalResult<(Aggregate, Option<Located>)> {
    let function = terminated(aggregate_function, symbol("(")).parse_next(input)?;
    let field = if function == Aggregate::Count {
        opt(path).parse_next(input)?
    } else {
        Some(cut_err(path).parse_next(input)?)
    };
    cut_err(symbol(")")).parse_next(input)?;
    Ok((function, field))
}

fn select_item(input: &mut Input<'_>) -> ModalResult<SelectItem> {
    alt((
        (aggregate_call, opt(alias)).map(|((function, field), alias)| SelectItem::Aggregate { function, field, alias }),
        (path, opt(alias)).map(|(path, alias)| SelectItem::Field { path, alias }),
    ))
    .parse_next(input)
}

fn select_query(input: &mut Input<'_>) -> ModalResult<Parsed> {
    keyword("SELECT").parse_next(input)?;
    let select = cut_err(separated(1.., select_item, symbol(","))).parse_next(input)?;
    cut_err(keyword("FROM")).parse_next(input)?;
    let object = cut_err(path).parse_next(input)?;
    let filter = opt(preceded(keyword("WHERE"), cut_err(condition))).parse_next(input)?;
    let group_by =
        opt(preceded((keyword("GROUP"), cut_err(keyword("BY"))), cut_err(separated(1.., path, symbol(",")))))
            .parse_next(input)?
            .unwrap_or_default();
    let order_by =
        opt(preceded((keyword("ORDER"), cut_err(keyword("BY"))), cut_err(separated(1.., order_item, symbol(",")))))
            .parse_next(input)?
            .unwrap_or_default();
    let limit = opt(preceded(keyword("LIMIT"), cut_err(number))).parse_next(input)?;
    let offset = opt(preceded(keyword("OFFSET"), cut_err(number))).parse_next(input)?;
    Ok(Parsed { select, object, filter, group_by, order_by, limit, offset })
}

fn order_item(input: &mut Input<'_>) -> ModalResult<OrderItem> {
    let key = alt((
        aggregate_call.verify_map(|(function, field)| field.map(|f| OrderKey::Aggregate(function, f))),
        path.map(OrderKey::Field),
    ))
    .parse_next(input)?;
    let descending =
        opt(alt((keyword("ASC").value(false), keyword("DESC").value(true)))).parse_next(input)?.unwrap_or(false);
    let nulls_last =
        opt(preceded(keyword("NULLS"), cut_err(alt((keyword("FIRST").value(false), keyword("LAST").value(true))))))
            .parse_next(input)?;
    Ok(OrderItem { key, descending, nulls_last })
}

/// One level of a `WHERE`: a unit, then more joined all by `AND` or all by `OR` (mixing needs parentheses).
fn condition(input: &mut Input<'_>) -> ModalResult<Condition> {
    let first = unit.parse_next(input)?;
    let ands: Vec<Condition> = repeat(0.., preceded(keyword("AND"), cut_err(unit))).parse_next(input)?;
    if !ands.is_empty() {
        return Ok(Condition::And(std::iter::once(first).chain(ands).collect()));
    }
    let ors: Vec<Condition> = repeat(0.., preceded(keyword("OR"), cut_err(unit))).parse_next(input)?;
    if !ors.is_empty() {
        return Ok(Condition::Or(std::iter::once(first).chain(ors).collect()));
    }
    Ok(first)
}

fn unit(input: &mut Input<'_>) -> ModalResult<Condition> {
    alt((
        preceded(keyword("NOT"), cut_err(unit)).map(|c| Condition::Not(Box::new(c))),
        delimited(symbol("("), cut_err(condition), cut_err(symbol(")"))),
        comparison,
    ))
    .parse_next(input)
}

fn comparison(input: &mut Input<'_>) -> ModalResult<Condition> {
    let field = path.parse_next(input)?;
    let operator = cut_err(alt((
        symbol("!=").value(Operator::NotEqual),
        symbol("<>").value(Operator::NotEqual),
        symbol("<=").value(Operator::LessOrEqual),
        symbol(">=").value(Operator::GreaterOrEqual),
        symbol("=").value(Operator::Equal),
        symbol("<").value(Operator::Less),
        symbol(">").value(Operator::Greater),
        keyword("LIKE").value(Operator::Like),
        keyword("IN").value(Operator::In),
        (keyword("NOT"), cut_err(keyword("IN"))).value(Operator::NotIn),
    )))
    .parse_next(input)?;
    let values = match operator {
        Operator::In | Operator::NotIn => {
            cut_err(delimited(symbol("("), separated(1.., literal, symbol(",")), symbol(")"))).parse_next(input)?
        }
        _ => vec![cut_err(literal).parse_next(input)?],
    };
    Ok(Condition::Compare { field, operator, values })
}

fn literal(input: &mut Input<'_>) -> ModalResult<Literal> {
    preceded(
        multispace0,
        alt((
            text.map(Literal::Text),
            instant,
            signed_number.map(Literal::Number),
            keyword("TRUE").value(Literal::Bool(true)),
            keyword("FALSE").value(Literal::Bool(false)),
            keyword("NULL").value(Literal::Null),
            date_literal.map(Literal::Relative),
        )),
    )
    .parse_next(input)
}

/// `'…'` with SOQL's backslash escapes. `\%` and `\_` keep their backslash: they only mean something to LIKE.
fn text(input: &mut Input<'_>) -> ModalResult<String> {
    '\''.parse_next(input)?;
    let mut out = String::new();
    loop {
        let c = cut_err(one_of(|_| true)).parse_next(input)?;
        match c {
            '\'' => return Ok(out),
            '\\' => match cut_err(one_of(|_| true)).parse_next(input)? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                escaped @ ('%' | '_') => {
                    out.push('\\');
                    out.push(escaped);
                }
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
}

/// `2026-01-05` or `2026-01-05T09:00:00Z` (with `.000`, `+01:00` or `+0100` allowed).
fn instant(input: &mut Input<'_>) -> ModalResult<Literal> {
    let raw = (
        take_while(4, |c: char| c.is_ascii_digit()),
        '-',
        take_while(2, |c: char| c.is_ascii_digit()),
        '-',
        take_while(2, |c: char| c.is_ascii_digit()),
        opt((
            one_of(['T', 't']),
            take_while(1.., |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-')),
        )),
    )
        .take()
        .parse_next(input)?;
    let seconds = cut_err(winnow::combinator::empty.verify_map(|_| parse_instant(raw))).parse_next(input)?;
    Ok(if raw.contains(['T', 't']) { Literal::DateTime(seconds) } else { Literal::Date(seconds) })
}

fn signed_number(input: &mut Input<'_>) -> ModalResult<f64> {
    (opt('-'), digit1, opt(('.', digit1))).take().try_map(str::parse::<f64>).parse_next(input)
}

/// `TODAY`, `LAST_N_DAYS:30`…
fn date_literal(input: &mut Input<'_>) -> ModalResult<DateLiteral> {
    (
        take_while(1.., |c: char| c.is_ascii_alphanumeric() || c == '_'),
        opt(preceded(':', digit1.try_map(str::parse::<u32>))),
    )
        .verify_map(|(word, n): (&str, Option<u32>)| DateLiteral::named(&word.to_ascii_uppercase(), n))
        .parse_next(input)
}
