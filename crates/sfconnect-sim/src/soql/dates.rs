//! SOQL's date literals (`TODAY`, `LAST_N_DAYS:30`, `THIS_MONTH`…) as spans of time, and the calendar
//! arithmetic they need. Simplification: days start at midnight UTC (Salesforce uses the user's time zone) and
//! weeks on Sunday (the en_US locale's first day).

/// The unit of a relative date literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// A relative date literal. `Last(n, u)` is the n units before the current one, `Next(n, u)` the n after it,
/// `This(u)` the current one, `Ago(n, u)` the single unit n before the current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLiteral {
    This(DateUnit),
    Last(u32, DateUnit),
    Next(u32, DateUnit),
    Ago(u32, DateUnit),
}

const DAY: i64 = 86_400;

impl DateLiteral {
    /// The literal for `name` (upper case) and its `:n` argument, if it is one. `LAST_N_DAYS` needs the
    /// argument; `TODAY` must not have one.
    pub fn named(name: &str, n: Option<u32>) -> Option<DateLiteral> {
        use DateLiteral::*;
        use DateUnit::*;
        let fixed = |literal: DateLiteral| if n.is_none() { Some(literal) } else { None };
        match name {
            "TODAY" => fixed(This(Day)),
            "YESTERDAY" => fixed(Ago(1, Day)),
            "TOMORROW" => fixed(Next(1, Day)),
            "THIS_WEEK" => fixed(This(Week)),
            "LAST_WEEK" => fixed(Last(1, Week)),
            "NEXT_WEEK" => fixed(Next(1, Week)),
            "THIS_MONTH" => fixed(This(Month)),
            "LAST_MONTH" => fixed(Last(1, Month)),
            "NEXT_MONTH" => fixed(Next(1, Month)),
            "THIS_QUARTER" => fixed(This(Quarter)),
            "LAST_QUARTER" => fixed(Last(1, Quarter)),
            "NEXT_QUARTER" => fixed(Next(1, Quarter)),
            "THIS_YEAR" => fixed(This(Year)),
            "LAST_YEAR" => fixed(Last(1, Year)),
            "NEXT_YEAR" => fixed(Next(1, Year)),
            "LAST_90_DAYS" => fixed(Last(90, Day)),
            "NEXT_90_DAYS" => fixed(Next(90, Day)),
            "LAST_N_DAYS" => Some(Last(n?, Day)),
            "NEXT_N_DAYS" => Some(Next(n?, Day)),
            "N_DAYS_AGO" => Some(Ago(n?, Day)),
            "LAST_N_WEEKS" => Some(Last(n?, Week)),
            "NEXT_N_WEEKS" => Some(Next(n?, Week)),
            "N_WEEKS_AGO" => Some(Ago(n?, Week)),
            "LAST_N_MONTHS" => Some(Last(n?, Month)),
            "NEXT_N_MONTHS" => Some(Next(n?, Month)),
            "N_MONTHS_AGO" => Some(Ago(n?, Month)),
            "LAST_N_QUARTERS" => Some(Last(n?, Quarter)),
            "NEXT_N_QUARTERS" => Some(Next(n?, Quarter)),
            "N_QUARTERS_AGO" => Some(Ago(n?, Quarter)),
            "LAST_N_YEARS" => Some(Last(n?, Year)),
            "NEXT_N_YEARS" => Some(Next(n?, Year)),
            "N_YEARS_AGO" => Some(Ago(n?, Year)),
            _ => None,
        }
    }

    /// The span `[start, end)` in epoch seconds, with `now` in epoch seconds.
    ///
    /// `LAST_N_DAYS:n` runs from n days before today up to the end of today, as Salesforce's reference says
    /// ("starts with the current day and continues for the past n days"); the other `LAST_*` spans stop before
    /// the current unit, and `NEXT_*` spans start after it.
    pub fn span(self, now: i64) -> (i64, i64) {
        let today = now.div_euclid(DAY);
        match self {
            DateLiteral::This(unit) => (unit_start(today, unit, 0), unit_start(today, unit, 1)),
            DateLiteral::Last(n, DateUnit::Day) => ((today - i64::from(n)) * DAY, (today + 1) * DAY),
            DateLiteral::Last(n, unit) => (unit_start(today, unit, -i64::from(n)), unit_start(today, unit, 0)),
            DateLiteral::Next(n, unit) => (unit_start(today, unit, 1), unit_start(today, unit, 1 + i64::from(n))),
            DateLiteral::Ago(n, unit) => {
                (unit_start(today, unit, -i64::from(n)), unit_start(today, unit, 1 - i64::from(n)))
            }
        }
    }
}

/// The start (epoch seconds) of the unit `offset` units after the one holding day number `today`.
fn unit_start(today: i64, unit: DateUnit, offset: i64) -> i64 {
    let days = match unit {
        DateUnit::Day => today + offset,
        // 1970-01-01 was a Thursday: day 0 of a Sunday-first week is 4.
        DateUnit::Week => today - (today + 4).rem_euclid(7) + 7 * offset,
        DateUnit::Month | DateUnit::Quarter | DateUnit::Year => {
            let (year, month, _) = civil_from_days(today);
            let months = match unit {
                DateUnit::Month => 1,
                DateUnit::Quarter => 3,
                _ => 12,
            };
            let index = year * 12 + i64::from(month - 1);
            let first = index - index.rem_euclid(months) + offset * months;
            days_from_civil(first.div_euclid(12), (first.rem_euclid(12) + 1) as u32, 1)
        }
    };
    days * DAY
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Epoch seconds of Salesforce's date and date-time forms: `2026-01-05`, `2026-01-05T09:00:00Z`,
/// `2026-01-05T09:00:00.000+0000`, `2026-01-05T09:00:00+01:00`. `None` for anything else.
pub fn parse_instant(text: &str) -> Option<i64> {
    let number = |s: &str| s.parse::<i64>().ok();
    let (date, time) = match text.split_once(['T', 't']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let (year, month, day) = (number(parts.next()?)?, number(parts.next()?)?, number(parts.next()?)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut seconds = days_from_civil(year, month as u32, day as u32) * DAY;
    let Some(time) = time else {
        return Some(seconds);
    };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => return None,
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.splitn(3, ':');
    let (h, m, s) = (number(hms.next()?)?, number(hms.next()?)?, number(hms.next()?)?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    seconds += h * 3600 + m * 60 + s;
    if let Some(sign) = zone.strip_prefix(['+', '-']).map(|rest| (zone.starts_with('-'), rest)) {
        let (negative, rest) = sign;
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 4 {
            return None;
        }
        let offset = number(&digits[..2])? * 3600 + number(&digits[2..])? * 60;
        // A zone ahead of UTC means the same wall clock came earlier in UTC.
        seconds += if negative { offset } else { -offset };
    } else if !zone.eq_ignore_ascii_case("z") {
        return None;
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-18T15:00:00Z, a Wednesday.
    const NOW: i64 = 1_773_846_000;

    fn day(text: &str) -> i64 {
        parse_instant(text).unwrap()
    }

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(day("2026-03-18T15:00:00Z"), NOW);
        assert_eq!(day("2026-03-18T16:00:00.000+0100"), NOW);
        assert_eq!(day("2026-03-18T10:00:00-05:00"), NOW);
        assert_eq!(parse_instant("2026-13-01"), None);
    }

    #[test]
    fn spans_follow_the_calendar() {
        use DateLiteral::*;
        use DateUnit::*;
        assert_eq!(This(Day).span(NOW), (day("2026-03-18"), day("2026-03-19")));
        assert_eq!(Ago(1, Day).span(NOW), (day("2026-03-17"), day("2026-03-18")));
        assert_eq!(Last(30, Day).span(NOW), (day("2026-02-16"), day("2026-03-19")));
        assert_eq!(Next(7, Day).span(NOW), (day("2026-03-19"), day("2026-03-26")));
        assert_eq!(This(Week).span(NOW), (day("2026-03-15"), day("2026-03-22")));
        assert_eq!(Last(1, Month).span(NOW), (day("2026-02-01"), day("2026-03-01")));
        assert_eq!(This(Quarter).span(NOW), (day("2026-01-01"), day("2026-04-01")));
        assert_eq!(Next(1, Year).span(NOW), (day("2027-01-01"), day("2028-01-01")));
        assert_eq!(Ago(3, Day).span(NOW), (day("2026-03-15"), day("2026-03-16")));
    }
}
