//! Spreadsheet habits in a rule expression: `=` for `==`, `and`/`or`/`not`, `<>`, `80%`,
//! `0,80`, `1,000`, `IF(condition, a, b)`, `AND(a, b)`. Rhai's parser reports them in its own
//! terms ("Unexpected '='", "Script is incomplete"); [`find`] finds each habit in the text and
//! says in words what to write instead, and [`fix`] gives the expression with all of them
//! fixed, for the help line. [`dmn_hit_policy`] does the same for a table's `hit:` as DMN
//! names it (`U`, `C+`).
//!
//! The scan is lexical: it skips text in quotes and looks only at the shapes above, so it
//! is run on expressions the parser rejected (or on a call of an unknown `IF`), never to
//! second-guess one that compiles.

/// One habit: where it is inside the expression (1-based line and column, in characters, as
/// Rhai counts them), how many characters it covers, what it is in words, and what to write
/// instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Habit {
    pub line: usize,
    pub column: usize,
    pub width: usize,
    pub message: String,
    /// What replaces the habit (`==` for `=`).
    pub instead: String,
    /// Said after the fix (`or 80 when the value is in percent`).
    note: Option<String>,
    /// The habit's characters: `start..end` as char indices into the expression.
    start: usize,
    end: usize,
}

/// Every habit in `body`, in the order they appear.
pub fn find(body: &str) -> Vec<Habit> {
    let chars: Vec<char> = body.chars().collect();
    // `=>` is a switch's arrow; elsewhere it is `>=` written backwards.
    let switch = body.contains("switch");
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            // SQL's `'Premium'`: Rhai reads `'` as one character (`'D'`, `'\n'`), not text.
            '\'' if let Some(end) = sql_text(&chars, i) => {
                let inner: String = chars[i + 1..end - 1].iter().collect();
                let instead = format!("\"{inner}\"");
                let what = format!("text is written in double quotes, `{instead}`");
                found.push(habit(&chars, i, end, &what, &instead));
                i = end;
            }
            '"' | '`' | '\'' => i = skip_quoted(&chars, i),
            // Quotes a word processor or e-mail put in for `"`.
            c if TYPOGRAPHIC_QUOTES.contains(&c) => {
                let what = format!(
                    "`{c}` is a typographic quote (as a word processor or e-mail writes it): write `\"`"
                );
                found.push(habit(&chars, i, i + 1, &what, "\""));
                i += 1;
            }
            '(' | '[' | '{' => {
                depth += 1;
                i += 1;
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ if let Some(&(written, meant, words)) =
                operator_at(&chars[i..]).filter(|(written, ..)| !(switch && *written == "=>")) =>
            {
                let end = i + written.chars().count();
                let what = format!("\"{words}\" is written `{meant}`");
                found.push(habit(&chars, i, end, &what, meant));
                i = end;
            }
            '=' if matches!(next, Some('=' | '>')) => i += 2,
            // `<=`, `+=`, ... and the inclusive range `1..=5`.
            '=' if i > 0 && "=!<>+-*/%&|^.".contains(chars[i - 1]) => i += 1,
            // A leading `=` marks a formula in a value; a condition has none (the value's
            // `=` is taken off before the formula is read, so here it is a condition's).
            '=' if chars[..i].iter().all(|c| c.is_whitespace()) => {
                let end = i
                    + 1
                    + chars[i + 1..]
                        .iter()
                        .take_while(|c| c.is_whitespace())
                        .count();
                let what = "a leading `=` is not part of an expression (a condition has none, a value's formula one): remove it";
                let mut h = habit(&chars, i, end, what, "");
                h.width = 1;
                found.push(h);
                i = end;
            }
            '=' => {
                found.push(habit(&chars, i, i + 1, "to compare, write `==`", "=="));
                i += 1;
            }
            c if c.is_ascii_digit() => i = number(&chars, i, depth, &mut found),
            // `.8`: a decimal without its whole part (not `x.y`, `1..5`, `f().y`).
            '.' if next.is_some_and(|c| c.is_ascii_digit())
                && (i == 0
                    || !(chars[i - 1].is_alphanumeric() || "_.)]".contains(chars[i - 1]))) =>
            {
                let end = digits(&chars, i + 1);
                let written: String = chars[i..end].iter().collect();
                let what = format!("a decimal is written with its 0, `0{written}`");
                found.push(habit(&chars, i, end, &what, &format!("0{written}")));
                i = end;
            }
            c if c.is_alphabetic() || c == '_' => i = word(&chars, i, &mut found),
            _ => i += 1,
        }
    }
    found
}

/// The curly quotes a word processor or e-mail puts in for `"` and `'`.
pub const TYPOGRAPHIC_QUOTES: [char; 8] = ['“', '”', '„', '‟', '‘', '’', '‚', '‛'];

/// Where text in single quotes starting at `start` ends (`'Premium'`): more than the one
/// character, escaped or not, that Rhai's `'x'` holds.
fn sql_text(chars: &[char], start: usize) -> Option<usize> {
    let end = skip_quoted(chars, start);
    let closed = end > start + 1 && chars.get(end - 1) == Some(&'\'');
    let inner = &chars[start + 1..end.saturating_sub(1).max(start + 1)];
    let one_char = inner.len() == 1 || (inner.len() == 2 && inner[0] == '\\');
    (closed && !inner.is_empty() && !one_char).then_some(end)
}

/// Comparison operators as spreadsheets and keyboards write them, what a rule writes, and
/// what they mean: one table for expressions and grid cells.
pub const OPERATOR_HABITS: &[(&str, &str, &str)] = &[
    ("=>", ">=", "at least"),
    ("=<", "<=", "at most"),
    ("<>", "!=", "not equal"),
    ("≥", ">=", "at least"),
    ("≤", "<=", "at most"),
    ("≠", "!=", "not equal"),
];

/// The operator habit `chars` start with.
fn operator_at(chars: &[char]) -> Option<&'static (&'static str, &'static str, &'static str)> {
    OPERATOR_HABITS.iter().find(|(written, ..)| {
        let w: Vec<char> = written.chars().collect();
        chars.starts_with(&w)
    })
}

/// `body` with every habit replaced by what to write instead.
pub fn fix(body: &str, habits: &[Habit]) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    for h in habits {
        if h.start < at {
            continue;
        }
        out.extend(&chars[at..h.start]);
        out.push_str(&h.instead);
        at = h.end;
    }
    out.extend(&chars[at..]);
    out
}

/// The help line for `habit`: the whole expression fixed, when that is known to be right
/// (`fixed` compiles), else what to write instead of the habit alone.
pub fn help(habit: &Habit, fixed: Option<&str>) -> String {
    let fix = match fixed {
        Some(fixed) => format!("write `{}`", one_line(fixed)),
        None => format!("write `{}` here", habit.instead),
    };
    match &habit.note {
        Some(note) => format!("{fix} ({note})"),
        None => fix,
    }
}

/// `name` in `body` at (line, column) written as text in quotes: the help for a name that is
/// not a name where a text was meant (`tier == A`).
pub fn quoted_name_help(body: &str, line: usize, column: usize, name: &str) -> String {
    let start = char_index(body, line, column);
    let chars: Vec<char> = body.chars().collect();
    let end = (start + name.chars().count()).min(chars.len());
    let mut fixed: String = chars[..start].iter().collect();
    fixed.push_str(&format!("\"{name}\""));
    fixed.extend(&chars[end..]);
    format!(
        "did you mean the text \"{name}\"? Text is written in quotes: `{}`",
        one_line(&fixed)
    )
}

/// The char index of a 1-based (line, column) in `body`.
pub fn char_index(body: &str, line: usize, column: usize) -> usize {
    let mut index = 0;
    for (n, text) in body.split('\n').enumerate() {
        if n + 1 == line {
            return index + column.saturating_sub(1).min(text.chars().count());
        }
        index += text.chars().count() + 1;
    }
    body.chars().count()
}

/// A multi-line expression on one line, for a help line.
fn one_line(text: &str) -> String {
    if text.contains('\n') {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        text.trim().to_owned()
    }
}

/// The 1-based line and column (in characters, as Rhai counts them) of `chars[index]`.
pub fn line_column(chars: &[char], index: usize) -> (usize, usize) {
    let line = 1 + chars[..index].iter().filter(|&&c| c == '\n').count();
    let line_start = chars[..index]
        .iter()
        .rposition(|&c| c == '\n')
        .map_or(0, |p| p + 1);
    (line, index - line_start + 1)
}

fn habit(chars: &[char], start: usize, end: usize, what: &str, instead: &str) -> Habit {
    let written: String = chars[start..end].iter().collect();
    let written = written.trim_end();
    let (line, column) = line_column(chars, start);
    Habit {
        line,
        column,
        width: written.chars().count(),
        message: format!("`{written}` is not how a rule says it: {what}"),
        instead: instead.to_owned(),
        note: None,
        start,
        end,
    }
}

/// The index after a quoted text starting at `start` (a backslash escapes the next char).
pub fn skip_quoted(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// `written` (digits, maybe a point) with its decimal point `places` to the right, exactly
/// (`2.01` and 3: `2010`; a float product gave `2009.9999999999998`).
fn shift_point(written: &str, places: usize) -> String {
    let (whole, fraction) = written.split_once('.').unwrap_or((written, ""));
    let fraction = format!("{fraction:0<places$}");
    let (moved, rest) = fraction.split_at(places);
    let whole = format!("{whole}{moved}");
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    match rest.trim_end_matches('0') {
        "" => whole.to_owned(),
        rest => format!("{whole}.{rest}"),
    }
}

fn digits(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
        i += 1;
    }
    i
}

/// A number at `start`: notes `80%`, a decimal comma (`0,80`) and thousands separators
/// (`1,000,000`) outside brackets, where a comma separates arguments. Returns the index after.
fn number(chars: &[char], start: usize, depth: usize, found: &mut Vec<Habit>) -> usize {
    let mut i = digits(chars, start);
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        i = digits(chars, i + 1);
    }
    // `1.000.000`: dots between groups of three digits.
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        let end = (start..chars.len())
            .find(|&j| !(chars[j].is_ascii_digit() || chars[j] == '.'))
            .unwrap_or(chars.len());
        let token: String = chars[start..end].iter().collect();
        if token.matches('.').count() > 1
            && let Some(plain) = crate::text::ungrouped(&token)
        {
            let what = format!("numbers are written without separators, `{plain}`");
            found.push(habit(chars, start, end, &what, &plain));
            return end;
        }
    }
    let written: String = chars[start..i].iter().filter(|&&c| c != '_').collect();
    // `100k`, `1.5m`: thousands and millions.
    let suffix = chars.get(i).and_then(|c| match c {
        'k' | 'K' => Some(3),
        'm' | 'M' => Some(6),
        _ => None,
    });
    let word_ends = !chars
        .get(i + 1)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_');
    if let (Some(places), true) = (suffix, word_ends) {
        let plain = shift_point(&written, places);
        let what = format!("numbers are written in full, `{plain}`");
        found.push(habit(chars, start, i + 1, &what, &plain));
        return i + 1;
    }
    // `80%`, or `80 %` with a blank between.
    let percent = (i..chars.len()).find(|&j| !chars[j].is_whitespace());
    if let Some(p) = percent.filter(|&p| chars[p] == '%') {
        // `x % 3` is the remainder: a percentage is a number with nothing after its `%`.
        let mut rest = chars[p + 1..].iter().filter(|c| !c.is_whitespace());
        let after = rest.next();
        // `x % 3`, `x % -3`: an operand follows, so it is the remainder.
        let negative = after == Some(&'-') && rest.next().is_some_and(|c| c.is_alphanumeric());
        let operand =
            negative || after.is_some_and(|&c| c.is_alphanumeric() || "_(\"'`".contains(c));
        if !operand && let Ok(value) = written.parse::<f64>() {
            let fraction = format!("{:?}", value / 100.0);
            // The note shows the whole number, sign included (`-0.25` for `-25%`).
            let sign = if start > 0 && chars[start - 1] == '-' {
                "-"
            } else {
                ""
            };
            // `margin_pct < 25%`: the name says its values are in percent, so the fix
            // that keeps the rule's meaning is the number itself, not a fraction.
            let h = if compared_name(chars, start).is_some_and(|n| in_percent(&n)) {
                let what = format!("the value is in percent, so write `{written}`");
                let mut h = habit(chars, start, p + 1, &what, &written);
                h.note = Some(format!("or `{sign}{fraction}` when the value is a share"));
                h
            } else {
                let what = format!("a percentage is written as a fraction, `{fraction}`");
                let mut h = habit(chars, start, p + 1, &what, &fraction);
                h.note = Some(format!("or `{sign}{written}` when the value is in percent"));
                h
            };
            found.push(h);
            return p + 1;
        }
        return i;
    }
    if depth > 0
        || chars.get(i) != Some(&',')
        || !chars.get(i + 1).is_some_and(char::is_ascii_digit)
    {
        return i;
    }
    // Thousands: groups of three digits after a whole number that does not start with 0.
    let mut end = i;
    let mut groups = Vec::new();
    while chars.get(end) == Some(&',') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        let next = digits(chars, end + 1);
        groups.push(next - end - 1);
        end = next;
    }
    let whole = !written.contains('.') && !written.starts_with('0');
    if whole && groups.iter().all(|&g| g == 3) {
        let plain: String = chars[start..end].iter().filter(|&&c| c != ',').collect();
        let what = format!("numbers are written without separators, `{plain}`");
        found.push(habit(chars, start, end, &what, &plain));
    } else if groups.len() == 1 && !written.contains('.') {
        let decimal: String = chars[start..end]
            .iter()
            .map(|&c| if c == ',' { '.' } else { c })
            .collect();
        let what = format!("decimals are written with a point, `{decimal}`");
        found.push(habit(chars, start, end, &what, &decimal));
    }
    end
}

/// A word at `start`: notes `and`/`or`/`not` and the spreadsheet functions `IF`, `AND`,
/// `OR`, `NOT`. Returns the index after.
fn word(chars: &[char], start: usize, found: &mut Vec<Habit>) -> usize {
    let mut i = start;
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
    let after = chars[i..]
        .iter()
        .position(|c| !c.is_whitespace())
        .map(|n| i + n);
    let method = start > 0 && chars[start - 1] == '.';
    if method {
        return i;
    }
    if let Some(open) = after.filter(|&a| chars[a] == '(') {
        // `tier in ("A", "B")`: a list is in square brackets.
        if word == "in"
            && let Some((items, close)) = arguments(chars, open)
        {
            let list = format!("[{}]", items.join(", "));
            let what = format!("a list is written in square brackets, `{list}`");
            found.push(habit(chars, open, close + 1, &what, &list));
            return i;
        }
        if let Some(h) = function(chars, start, &word, open) {
            found.push(h);
            return i;
        }
        // `x and (y < 40)`, `x AND (y)`, `not (flag)`: the words, before a bracket.
        if !matches!(word.as_str(), "and" | "or" | "not") {
            return i;
        }
    }
    // `1.5 x monthly_sales`: the times sign of a calculator.
    let operand_before = chars[..start]
        .iter()
        .rev()
        .find(|c| !c.is_whitespace())
        .is_some_and(|&c| c.is_ascii_digit() || c == ')');
    if word == "x" && operand_before && after.is_some() && i < chars.len() && chars[i] == ' ' {
        found.push(habit(chars, start, i, "to multiply, write `*`", "*"));
        return i;
    }
    // `annual sales`: two names side by side are one name written with a blank.
    if let Some(next) =
        after.filter(|&a| a == i + 1 && (chars[a].is_alphabetic() || chars[a] == '_'))
        && !KEYWORDS.contains(&word.as_str())
    {
        let end = (next..chars.len())
            .find(|&k| !(chars[k].is_alphanumeric() || chars[k] == '_'))
            .unwrap_or(chars.len());
        let second: String = chars[next..end].iter().collect();
        if !KEYWORDS.contains(&second.to_lowercase().as_str()) {
            let first: String = chars[start..i].iter().collect();
            let joined = format!("{first}_{second}");
            let what = format!("a name has no blanks: `{joined}`");
            found.push(habit(chars, start, end, &what, &joined));
            return end;
        }
    }
    let (what, instead, end) = match word.as_str() {
        "null" => (
            "NULL is written `()`: test for it with `is_null(x)`",
            "()",
            i,
        ),
        "and" => ("\"and\" is written `&&`", "&&", i),
        "or" => ("\"or\" is written `||`", "||", i),
        // `not x` becomes `!x`: the blank after `not` goes too.
        "not" => ("\"not\" is written `!`", "!", after.unwrap_or(i)),
        _ => return i,
    };
    let mut h = habit(chars, start, end, what, instead);
    h.width = i - start;
    found.push(h);
    i
}

/// Words of the language (and habits said elsewhere) that may stand before or after a name.
const KEYWORDS: &[&str] = &[
    "if", "else", "in", "let", "const", "switch", "fn", "return", "true", "false", "and", "or",
    "not", "is", "while", "for", "loop", "do", "until", "throw", "try", "catch", "x", "null",
];

/// `IF(c, a, b)`, `AND(a, b, ...)`, `OR(a, b, ...)`, `NOT(a)`, `MIN`/`MAX(a, b, ...)`,
/// `ISBLANK(a)`, `ROUND(x, n)` written with `(` at `open`.
fn function(chars: &[char], start: usize, name: &str, open: usize) -> Option<Habit> {
    if !chars[start].is_uppercase() && name != "if" {
        return None;
    }
    let (args, close) = arguments(chars, open)?;
    // The habits inside the arguments are fixed with it (`IF(x = 0, ...)`).
    let args: Vec<String> = args.iter().map(|a| fix(a, &find(a))).collect();
    // `MIN(a, b, c)`: the rules' `min` takes two.
    let nested = |f: &str| {
        let mut args = args.iter();
        let first = args.next().cloned().unwrap_or_default();
        args.fold(first, |acc, a| format!("{f}({acc}, {a})"))
    };
    let mut note = None;
    let instead = match (name, &args[..]) {
        ("if", [c, a, b]) => format!("if {c} {{ {a} }} else {{ {b} }}"),
        ("and", [_, _, ..]) => format!("({})", args.join(" && ")),
        ("or", [_, _, ..]) => format!("({})", args.join(" || ")),
        ("not", [a]) => format!("!({a})"),
        ("min" | "max", [_, _, ..]) => nested(name),
        ("isblank", [a]) => format!("is_null({a})"),
        // ROUND(x, 2): the output's `round:` rounds halves as a spreadsheet does.
        ("round", [x, n]) => {
            let step = match n.parse::<i32>() {
                Ok(n @ 0..) => format!("{}", 10f64.powi(-n)),
                Ok(n) => format!("{}", 10i64.pow(n.unsigned_abs())),
                Err(_) => return None,
            };
            note = Some(format!(
                "and give its decision `round: {{ nearest: {step} }}`, which rounds halves away from zero as ROUND does"
            ));
            format!("({x})")
        }
        _ => return None,
    };
    let what = match name {
        "if" => "a choice is written `if condition { a } else { b }`",
        "and" => "\"and\" is written `a && b`",
        "or" => "\"or\" is written `a || b`",
        "min" => "the smaller of two is `min(a, b)`",
        "max" => "the larger of two is `max(a, b)`",
        "isblank" => "a blank (NULL) is tested with `is_null(x)`",
        "round" => "an output is rounded by its decision's `round:`",
        _ => "\"not\" is written `!a`",
    };
    // A spreadsheet counts a blank as 0 in a test; a rule does not.
    if matches!(name, "if" | "and" | "or" | "not") {
        note = Some(
            "a blank field is NULL here, where a spreadsheet counts it as 0: write `field ?? 0` for that".into(),
        );
    }
    let written: String = chars[start..open].iter().collect();
    let mut h = habit(chars, start, close + 1, what, &instead);
    h.note = note;
    h.width = written.trim_end().chars().count();
    h.message = format!(
        "`{}(...)` is not a function in a rule: {what}",
        written.trim_end()
    );
    Some(h)
}

/// The arguments of a call whose `(` is at `open` (each trimmed), and the index of its `)`.
fn arguments(chars: &[char], open: usize) -> Option<(Vec<String>, usize)> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut from = open + 1;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '"' | '`' | '\'' => {
                i = skip_quoted(chars, i);
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(chars[from..i].iter().collect::<String>().trim().to_owned());
                    return Some((args, i));
                }
            }
            ',' if depth == 1 => {
                args.push(chars[from..i].iter().collect::<String>().trim().to_owned());
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The name a number at `start` is compared with (`margin_pct` in `margin_pct < 25%`),
/// when a comparison and a name are right before it.
fn compared_name(chars: &[char], start: usize) -> Option<String> {
    let mut i = start;
    let back = |i: &mut usize, keep: &dyn Fn(char) -> bool| {
        while *i > 0 && keep(chars[*i - 1]) {
            *i -= 1;
        }
    };
    back(&mut i, &|c| c == '-' || c.is_whitespace());
    let before_operator = i;
    back(&mut i, &|c| "<>=!".contains(c));
    if i == before_operator {
        return None;
    }
    back(&mut i, &char::is_whitespace);
    let end = i;
    back(&mut i, &|c| c.is_alphanumeric() || c == '_' || c == '.');
    (i < end).then(|| chars[i..end].iter().collect())
}

/// Whether a name says its values are in percent: `margin_pct`, `discount_percent`.
/// A percentile (`sales_percentile`) is a share from 0 to 1, whatever its name says.
fn in_percent(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    !name.contains("percentile")
        && (name.ends_with("pct") || name.contains("_pct_") || name.contains("percent"))
}

/// A DMN hit policy as DMN writes it (`U`, `C+`, `RULE ORDER`): how it is written here.
pub fn dmn_hit_policy(given: &str) -> Option<String> {
    let policy = match given.trim().to_ascii_uppercase().as_str() {
        "U" | "UNIQUE" => "`hit: unique`",
        "F" | "FIRST" => "`hit: first`",
        "A" | "ANY" => "`hit: any`",
        "P" | "PRIORITY" => "`hit: priority` (with the output's `values:`, highest first)",
        "R" | "RULE ORDER" | "RULE_ORDER" => "`hit: rule_order`",
        "O" | "OUTPUT ORDER" | "OUTPUT_ORDER" => {
            "`hit: output_order` (with the output's `values:`)"
        }
        "C" | "COLLECT" => {
            "`hit: collect` with `aggregate: list` (`collect` alone sums, as DMN's C+)"
        }
        "C+" => "`hit: collect` (it sums; `aggregate: sum` says so)",
        "C#" => "`hit: collect` with `aggregate: count`",
        "C<" => "`hit: collect` with `aggregate: min`",
        "C>" => "`hit: collect` with `aggregate: max`",
        _ => return None,
    };
    Some(format!("DMN's `{}` is written {policy} here", given.trim()))
}

#[cfg(test)]
#[path = "habits_tests.rs"]
mod tests;
