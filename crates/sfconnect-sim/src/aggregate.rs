//! Grouped and aggregate SOQL (`SELECT Profile.Name, COUNT(Id) FROM User GROUP BY Profile.Name`): rows become
//! `AggregateResult` records, a grouped field under its last name (`Name`), an aggregate under its alias or
//! `expr0`, `expr1`… in the order of the unaliased ones, as Salesforce names them (SOQL reference, "Using
//! Aliases with GROUP BY").

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::filter::Filter;
use super::query::{QueryError, QueryOutput, Scope, compare_for_order, compare_values, lookup, now_seconds, window};
use super::soql::{Aggregate, OrderKey, Parsed, SelectItem, malformed_at};

/// One column of the output: where its value comes from and the key it is written under.
enum Column {
    Grouped { path: &'static str, key: String },
    Aggregated { function: Aggregate, path: Option<&'static str>, key: String },
}

pub fn run(
    scope: &Scope<'_>,
    parsed: &Parsed,
    filter: Option<&Filter>,
    version: &str,
) -> Result<QueryOutput, QueryError> {
    let group_by: Vec<&'static str> = parsed.group_by.iter().map(|g| scope.canonical(g)).collect::<Result<_, _>>()?;
    let mut columns = Vec::new();
    let mut unnamed = 0;
    for item in &parsed.select {
        match item {
            SelectItem::Field { path: located, alias } => {
                let path = scope.canonical(located)?;
                if !group_by.contains(&path) {
                    return Err(malformed_at(
                        scope.soql,
                        located.column,
                        &format!("Field must be grouped or aggregated: {}", path.rsplit('.').next().unwrap_or(path)),
                    ));
                }
                let key = alias.clone().unwrap_or_else(|| path.rsplit('.').next().unwrap_or(path).to_string());
                columns.push(Column::Grouped { path, key });
            }
            SelectItem::Aggregate { function, field, alias } => {
                let path = field.as_ref().map(|f| scope.canonical(f)).transpose()?;
                let key = alias.clone().unwrap_or_else(|| {
                    unnamed += 1;
                    format!("expr{}", unnamed - 1)
                });
                columns.push(Column::Aggregated { function: *function, path, key });
            }
        }
    }

    let named_paths = group_by.iter().chain(columns.iter().filter_map(|c| match c {
        Column::Grouped { path, .. } => Some(path),
        Column::Aggregated { path, .. } => path.as_ref(),
    }));
    let nested = named_paths.copied().any(|p| p.contains('.')) || filter.is_some_and(Filter::follows_relationship);
    let build = match scope.object.flat_rows {
        Some(flat) if !nested => flat,
        _ => scope.object.rows,
    };
    let now = now_seconds();
    let rows: Vec<Value> =
        build(scope.org, version).into_iter().filter(|row| filter.is_none_or(|f| f.matches(row, now))).collect();

    // Groups in the order their first row came, as Salesforce gives them without ORDER BY; found by a key that
    // compares as `=` does (text without regard to case), so grouping stays linear in the rows.
    let mut groups: Vec<(Vec<Value>, Vec<&Value>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let key: Vec<Value> = group_by.iter().map(|p| lookup(row, p).clone()).collect();
        let folded: String = key.iter().map(|v| format!("{}\u{1f}", v.to_string().to_lowercase())).collect();
        match index.get(&folded) {
            Some(&at) => groups[at].1.push(row),
            None => {
                index.insert(folded, groups.len());
                groups.push((key, vec![row]));
            }
        }
    }
    if group_by.is_empty() && groups.is_empty() {
        groups.push((Vec::new(), Vec::new()));
    }

    let mut order = Vec::new();
    for item in &parsed.order_by {
        let (function, located) = match &item.key {
            OrderKey::Field(located) => (None, located),
            OrderKey::Aggregate(function, located) => (Some(*function), located),
        };
        let path = scope.canonical(located)?;
        if function.is_none() && !group_by.contains(&path) {
            return Err(malformed_at(scope.soql, located.column, "Ordered field must be grouped or aggregated"));
        }
        order.push((function, path, item.descending, item.nulls_last.unwrap_or(item.descending)));
    }
    let sort_value = |members: &[&Value], key: &[Value], function: Option<Aggregate>, path: &str| match function {
        Some(function) => compute(function, Some(path), members),
        None => group_by.iter().position(|g| *g == path).map_or(Value::Null, |i| key[i].clone()),
    };
    groups.sort_by(|(key_a, a), (key_b, b)| {
        order
            .iter()
            .map(|(function, path, descending, nulls_last)| {
                let (x, y) = (sort_value(a, key_a, *function, path), sort_value(b, key_b, *function, path));
                compare_for_order(&x, &y, *descending, *nulls_last)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });

    let records: Vec<Value> = window(groups, parsed.offset, parsed.limit)
        .into_iter()
        .map(|(key, members)| {
            let mut record = Map::new();
            record.insert("attributes".to_string(), json!({"type": "AggregateResult"}));
            for column in &columns {
                match column {
                    Column::Grouped { path, key: name } => {
                        let at = group_by.iter().position(|g| g == path).unwrap_or(0);
                        record.insert(name.clone(), key.get(at).cloned().unwrap_or(Value::Null));
                    }
                    Column::Aggregated { function, path, key: name } => {
                        record.insert(name.clone(), compute(*function, *path, &members));
                    }
                }
            }
            Value::Object(record)
        })
        .collect();
    Ok(QueryOutput { total: records.len(), records })
}

fn compute(function: Aggregate, path: Option<&str>, members: &[&Value]) -> Value {
    let values: Vec<&Value> = match path {
        Some(path) => members.iter().map(|row| lookup(row, path)).filter(|v| !v.is_null()).collect(),
        None => members.to_vec(),
    };
    let numbers = || values.iter().filter_map(|v| v.as_f64());
    match function {
        Aggregate::Count => json!(values.len()),
        Aggregate::CountDistinct => {
            let mut distinct: Vec<&Value> = Vec::new();
            for v in &values {
                if !distinct.iter().any(|d| compare_values(d, v).is_eq()) {
                    distinct.push(v);
                }
            }
            json!(distinct.len())
        }
        Aggregate::Min => values.iter().min_by(|a, b| compare_values(a, b)).map_or(Value::Null, |v| (*v).clone()),
        Aggregate::Max => values.iter().max_by(|a, b| compare_values(a, b)).map_or(Value::Null, |v| (*v).clone()),
        Aggregate::Sum => {
            if numbers().next().is_none() {
                Value::Null
            } else {
                json!(numbers().sum::<f64>())
            }
        }
        Aggregate::Avg => {
            let count = numbers().count();
            if count == 0 { Value::Null } else { json!(numbers().sum::<f64>() / count as f64) }
        }
    }
}
