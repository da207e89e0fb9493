//! Words and numbers for people: `1,234,567.89`, "1 error", "3 errors", a value as an
//! admin would write it in YAML.

mod numbers;
pub use numbers::{converted, no_value_as_null, number_conversion, stands_for_no_value, ungrouped};

/// A CSV field: quoted (its quotes doubled) when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `text` cut to its first `most` characters and `...` when it is longer (a table cell).
pub fn cut(text: String, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// A change in percent of the total before it, for a total above zero only: of a negative
/// total the percent reads backwards (clawbacks from -7,128 to -5,478 are "+23.2%").
pub fn percent_change(difference: f64, before: f64) -> Option<f64> {
    (before > 0.0).then(|| 100.0 * difference / before)
}

/// The first three items, then how many more: "`a`, `b`, `c` and 2 more".
pub fn first_three(items: &[String]) -> String {
    let shown = items[..items.len().min(3)].join(", ");
    match items.len() {
        0..=3 => shown,
        n => format!("{shown} and {} more", n - 3),
    }
}

/// A file's extension in lower case (`VISITS.CSV` is a `csv`), for what kind of file it is.
pub fn extension(path: &std::path::Path) -> Option<String> {
    Some(path.extension()?.to_str()?.to_ascii_lowercase())
}

/// `1234567.891` -> `1,234,567.89`; whole numbers get no decimals.
pub fn thousands(x: f64) -> String {
    // Past 2^64 a float's whole digits are mostly noise (and a cast would saturate).
    if !x.is_finite() || x.abs() >= 1.8e19 {
        return format!("{x:e}");
    }
    let negative = x < 0.0;
    let x = x.abs();
    let whole = x.trunc() as u128;
    let frac = x - x.trunc();
    let mut out = grouped(&whole.to_string());
    if frac > 0.0 {
        let cents = format!("{frac:.2}");
        if cents == "1.00" {
            return thousands(if negative {
                -(x.trunc() + 1.0)
            } else {
                x.trunc() + 1.0
            });
        }
        out.push_str(&cents[1..]);
    }
    if negative { format!("-{out}") } else { out }
}

/// `x` with thousands separators and every decimal it is written with (`1,000,014.5175`,
/// `0.0125`): for a difference or a sum whose decimals matter, where [`thousands`] keeps
/// two. Very large or small numbers keep their exponent (`1e20`). The caller rounds away
/// binary noise first (`value::shown_decimal`).
pub fn thousands_exact(x: f64) -> String {
    let written = x.to_string();
    if written.contains(['e', 'E']) || !x.is_finite() {
        return written;
    }
    let (sign, digits) = match written.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", written.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = format!("{sign}{}", grouped(whole));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// Whole digits with a `,` between thousands: `1234567` -> `1,234,567`.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A total for people: money with two decimals and the currency, others as they are.
pub fn amount(x: f64, money: bool, currency: Option<&str>) -> String {
    match (money, currency) {
        (true, Some(c)) => format!("{c} {}", cents(x)),
        (true, None) => cents(x),
        (false, _) => thousands(x),
    }
}

/// A difference with its sign: `+784,416.59`, `-12`.
pub fn signed(d: f64, money: bool) -> String {
    let sign = if d < 0.0 { '-' } else { '+' };
    let magnitude = if money {
        cents(d.abs())
    } else {
        thousands(d.abs())
    };
    format!("{sign}{magnitude}")
}

/// `x` to the cent, as money totals are kept (`37449510.68`), rounded as `round: { nearest:
/// 0.01 }` rounds: a half cent away from zero from the value meant (1.005, which binary
/// holds as 1.00499999999999989..., is 1.01; it was 1.00).
pub fn to_cents(x: f64) -> f64 {
    if !(x.is_finite() && x.abs() < 9.0e13) {
        return x;
    }
    let q = x * 100.0;
    let tolerance = binary_noise(q);
    let half = q.floor() + 0.5;
    let r = match (q - half).abs() <= tolerance && (q - q.round()).abs() > tolerance {
        true => half.round(),
        false => q.round(),
    };
    r / 100.0
}

/// How far a number of steps (`q`, an amount in cents) may be from the decimal it stands
/// for by binary noise alone: a few units in its last place (a rate of an amount,
/// 4,217,116.60 x 7.5%, is 316,283.74499999994: 2.01 units from the half in cents), three
/// at most, two where a unit is a millionth of a step or more, and never half a step
/// (beyond 2^51 steps every fraction is one unit: 4,503,599,627,370,495.5 is no noise).
pub fn binary_noise(q: f64) -> f64 {
    let ulp = f64::from_bits(q.abs().to_bits() + 1) - q.abs();
    // Three units only where a unit is under a millionth of a step (below 2^33 steps):
    // beyond, three reach a decimal that is meant (2,716,824,954.884999 in cents, 1e15 +
    // 0.25 in steps of 5).
    let units = if ulp < 1e-6 { 3.0 } else { 1.9 };
    (4.0 * f64::EPSILON * q.abs())
        .min(units * ulp)
        .clamp(1e-9, 0.49)
}

/// A decimal that is a whole number, as that number (`13.0` is 13), within the range where
/// every whole number is exact: how JSON, keys and ids show a whole decimal.
pub fn whole(x: f64) -> Option<i64> {
    (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

/// A number as programs read it in JSON: a whole number as an integer (`518`, not `518.0`),
/// any other as it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match whole(self.0) {
            Some(n) => s.serialize_i64(n),
            None => s.serialize_f64(self.0),
        }
    }
}

impl Number {
    /// As a JSON value (`518`, `0.5`; `null` for what JSON cannot hold).
    pub fn to_json(self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// For `#[serde(serialize_with)]`: an optional [`Number`].
pub fn optional_number<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&x.map(Number), s)
}

/// `36,796,816.69`: thousands separators and always two decimals.
pub fn cents(x: f64) -> String {
    // A total past what a decimal holds (`EUR inf.00` read as an amount).
    if !x.is_finite() {
        return "not a finite number (an overflow)".into();
    }
    let fixed = format!("{:.2}", x.abs());
    let (whole, decimals) = fixed.split_once('.').unwrap_or((&fixed, "00"));
    let whole = thousands(whole.parse::<f64>().unwrap_or(0.0));
    let sign = if x < 0.0 && fixed != "0.00" { "-" } else { "" };
    format!("{sign}{whole}.{decimals}")
}

/// What to write for a percentage written with `%` (`write 8 for 8%: ...`), where a rule
/// wants the number: one wording for values, cells, caps and YAML's split numbers.
pub fn percent_help(number: &str, written: &str) -> String {
    format!("write {number} for {written}: a percentage is a number here")
}

/// A number with one `separator` before exactly three digits (`1,000`, `-50.000`), which
/// may group thousands as well as be a decimal point: its whole part (without the sign)
/// and the three digits. `0,125` is no thousand (a group never starts with 0).
pub fn lone_group(number: &str, separator: char) -> Option<(&str, &str)> {
    let number = number.strip_prefix('-').unwrap_or(number);
    let (whole, fraction) = number.split_once(separator)?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (digits(whole)
        && whole.len() <= 3
        && !whole.starts_with('0')
        && fraction.len() == 3
        && digits(fraction))
    .then_some((whole, fraction))
}

/// How people order texts in a list: by their letters without accents and case (`Čačak`
/// between `Cacak` and `Dubrovnik`, `éclair` before `Zagreb`), then as written, so the order
/// is total. A byte order puts every accented capital after `Z`.
pub fn reading_order(a: &str, b: &str) -> std::cmp::Ordering {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let letters = |t: &str| {
        t.nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    letters(a).cmp(&letters(b)).then_with(|| a.cmp(b))
}

/// Where SQLite's `UPPER` (which changes a-z only) cannot make `a` and `b` one spelling
/// though their letters differ only in case (`öSTERREICH`, `ÖSTERREICH`): the help's words,
/// naming the letters to replace.
pub fn upper_leaves_apart(a: &str, b: &str) -> Option<String> {
    let (a, b) = (a.trim(), b.trim());
    if a.to_uppercase() != b.to_uppercase() || a.eq_ignore_ascii_case(b) {
        return None;
    }
    let (x, y) = (a.chars().zip(b.chars()))
        .find(|(x, y)| !x.is_ascii() && x != y && x.to_uppercase().eq(y.to_uppercase()))?;
    let (lower, upper) = if x.is_lowercase() { (x, y) } else { (y, x) };
    Some(format!(
        "; SQLite's UPPER changes the letters a-z only, and leaves `{lower}` as it is: write `REPLACE(UPPER(...), '{lower}', '{upper}')` for each such letter"
    ))
}

/// "1 customer", "1,204 customers".
pub fn customers(n: usize) -> String {
    match n {
        1 => "1 customer".into(),
        n => format!("{} customers", thousands(n as f64)),
    }
}

/// "1 error", "2 errors".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", thousands(n as f64))
    }
}

/// A value as an admin would write it in a test file: `A`, `12`, `null`, `[a, b]`; text that
/// would read as something else (`"12"`, `"true"`, `""`) is quoted.
pub fn as_yaml(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::String(s)
            if !unicode_normalization::is_nfc(s) || s.chars().any(hidden) =>
        {
            visible(s).into_owned()
        }
        serde_json::Value::String(s) => {
            let ambiguous = s.is_empty()
                || s.trim() != s
                || s.parse::<f64>().is_ok()
                || matches!(s.as_str(), "true" | "false" | "null" | "~")
                || s.contains([',', '[', ']', '"']);
            if ambiguous {
                serde_json::Value::String(s.clone()).to_string()
            } else {
                s.clone()
            }
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(as_yaml).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Bytes that should be UTF-8 text and are not, as a person can read and `printf` can write
/// them again: the UTF-8 parts as they are, every other byte as `\xE4` (`Umsatz_\xE4`).
pub fn escape_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

/// Bytes that are not all UTF-8 read as Windows-1252 where they are not (the encoding a
/// spreadsheet exports on Windows, a superset of Latin-1's letters): `Umsatz_\xE4` is
/// `Umsatz_ä`. What a name was meant to be, as far as a guess goes; `?` for the five bytes
/// Windows-1252 leaves undefined.
pub fn windows_1252(bytes: &[u8]) -> String {
    const C1: &str = "€?‚ƒ„…†‡ˆ‰Š‹Œ?Ž??‘’“”•–—˜™š›œ?žŸ";
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(match b {
                0x80..=0x9F => C1.chars().nth(usize::from(b - 0x80)).unwrap_or('?'),
                _ => char::from(b),
            });
        }
    }
    out
}

/// A text value as a person must see it to tell it from another: as it is, or quoted with
/// what a screen does not show escaped (`"Mały\u{a0}odbiorca"`, `"S\u{301}redni"`,
/// `"Wholesale "`) when it holds such a character or a space at either end.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let decomposed = !unicode_normalization::is_nfc(text);
    match decomposed || text.chars().any(hidden) || text.starts_with(' ') || text.ends_with(' ') {
        true => std::borrow::Cow::Owned(format!("\"{}\"", escaped(text, decomposed, true))),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// An expression or any text shown as it is, but for what a screen does not show, escaped
/// (`channel == "Mały\u{a0}odbiorca"`): no quotes added.
pub fn unhidden(text: &str) -> std::borrow::Cow<'_, str> {
    let decomposed = !unicode_normalization::is_nfc(text);
    match decomposed || text.chars().any(|c| c != '\t' && hidden(c)) {
        true => std::borrow::Cow::Owned(escaped(text, decomposed, false)),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// A value of the data as a terminal may print it: a control character (a line end, a tab,
/// a terminal's escape `ESC`, a bell) as `\u{..}`, all else as it is (accents composed
/// either way stay readable, unlike in [`unhidden`]). A CRM field holding `ESC[2J` cleared
/// the admin's screen in `history`; a newline forged a row of its table.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c.is_control() {
            true => push_code(&mut out, c),
            false => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What an invisible or look-alike character is called, for the few a pasted text brings
/// (`None` for every other character): a rule file's text holding one is not the text it
/// looks like.
pub fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200b}' => "a zero-width space",
        '\u{200c}' => "a zero-width non-joiner",
        '\u{200d}' => "a zero-width joiner",
        '\u{2060}' => "a word joiner",
        '\u{2061}'..='\u{2064}' => "an invisible operator",
        '\u{feff}' => "a byte-order mark",
        '\u{ad}' => "a soft hyphen",
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            "a text-direction mark"
        }
        '\u{a0}' | '\u{202f}' | '\u{2007}' => "a no-break space",
        _ => return None,
    })
}

/// A character a screen does not show as itself: a control, a blank other than the space,
/// or one [`invisible_name`] names.
fn hidden(c: char) -> bool {
    c.is_control() || (c.is_whitespace() && c != ' ') || invisible_name(c).is_some()
}

/// `text` with every character a screen does not show as `\u{..}`, combining accents too
/// when `decomposed` (a letter written in two characters); `"` and line ends escaped when
/// `quoted`.
fn escaped(text: &str, decomposed: bool, quoted: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let accent = decomposed && unicode_normalization::char::canonical_combining_class(c) != 0;
        match c {
            '"' if quoted => out.push_str("\\\""),
            '\n' if quoted => out.push_str("\\n"),
            '\t' if !quoted => out.push(c),
            c if accent || hidden(c) => push_code(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// `c` written as its code point, `\u{a0}`, as Rust and Rhai write it in a text.
fn push_code(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// The text of a file as an editor saved it: UTF-8 as it is (a byte-order mark included),
/// or UTF-16 with its byte-order mark (Notepad's "Unicode") decoded. Another encoding is an
/// `InvalidData` error naming the first byte that is not UTF-8, its line and column.
pub fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let invalid = |message: String| std::io::Error::new(std::io::ErrorKind::InvalidData, message);
    if let Some(text) = utf16(&bytes) {
        return text.ok_or_else(|| invalid("a UTF-16 file with a broken character".to_owned()));
    }
    String::from_utf8(bytes).map_err(|e| match not_utf8(e.as_bytes()) {
        Some((byte, line, column)) => std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            NotUtf8 { byte, line, column },
        ),
        None => invalid(e.to_string()),
    })
}

/// Why [`read_text`] refused a file: its first byte that is not UTF-8, and where.
#[derive(Debug)]
pub struct NotUtf8 {
    pub byte: u8,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "this file is not UTF-8 text: byte 0x{:02X} at line {}, column {} (saved in another encoding, such as Windows' ANSI: save it as UTF-8)",
            self.byte, self.line, self.column
        )
    }
}

impl std::error::Error for NotUtf8 {}

/// The place [`read_text`]'s error names, when the file is not UTF-8 (no second reading).
pub fn not_utf8_place(e: &std::io::Error) -> Option<&NotUtf8> {
    e.get_ref()?.downcast_ref()
}

/// Text saved as UTF-16 with its byte-order mark, little- or big-endian: `Some(None)` when
/// a character is broken; `None` when the bytes do not start with such a mark.
pub fn utf16(bytes: &[u8]) -> Option<Option<String>> {
    let (rest, little) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    let units = rest.chunks(2).map(|pair| match (pair, little) {
        ([a, b], true) => u16::from_le_bytes([*a, *b]),
        ([a, b], false) => u16::from_be_bytes([*a, *b]),
        _ => 0xFFFF,
    });
    let text: Result<String, _> = char::decode_utf16(units).collect();
    Some(text.ok().filter(|_| rest.len() % 2 == 0))
}

/// The first byte of `bytes` that is not UTF-8, with its line and column (counted in
/// bytes: the text before it is valid, but a column in a broken line is the byte's place).
pub fn not_utf8(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let at = std::str::from_utf8(bytes).err()?.valid_up_to();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |k| k + 1);
    Some((bytes[at], line, at - start + 1))
}

/// A path for messages: relative to the working directory when it is inside it (not when
/// that is `/`, as under cron: `tmp/x.db` would read as a relative path).
pub fn shown(path: &std::path::Path) -> std::path::PathBuf {
    std::env::current_dir()
        .ok()
        .filter(|cwd| cwd.parent().is_some())
        .and_then(|cwd| {
            path.strip_prefix(cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_thousands_keep_every_decimal() {
        assert_eq!(thousands_exact(1000014.5175), "1,000,014.5175");
        assert_eq!(thousands_exact(-0.0125), "-0.0125");
        assert_eq!(thousands_exact(25.0), "25");
        assert_eq!(thousands_exact(123456.0), "123,456");
    }

    #[test]
    fn totals_for_programs_are_whole_numbers_and_cents() {
        let json = |x: f64| serde_json::to_string(&Number(x)).unwrap();
        assert_eq!(json(518.0), "518");
        assert_eq!(json(-30.0), "-30");
        assert_eq!(json(0.5), "0.5");
        assert_eq!(json(1e300), "1e+300");
        assert_eq!(json(to_cents(37_449_510.678_399_95)), "37449510.68");
        assert_eq!(json(to_cents(0.1 + 0.2)), "0.3");
        assert_eq!(json(to_cents(-0.004)), "0");
        // Half cents as `round: { nearest: 0.01 }` rounds them.
        assert_eq!(to_cents(1.005), 1.01);
        assert_eq!(to_cents(-1.005), -1.01);
        assert_eq!(to_cents(2.675), 2.68);
        assert_eq!(to_cents(1234.565), 1234.57);
        assert_eq!(to_cents(0.125), 0.13);
        assert_eq!(to_cents(1.0049), 1.0);
        assert!(to_cents(f64::NAN).is_nan());
    }

    #[test]
    fn numbers_with_thousands_separators_are_read_without_them() {
        let read = ungrouped;
        assert_eq!(read("1,000").as_deref(), Some("1000"));
        assert_eq!(read("1 000 000").as_deref(), Some("1000000"));
        assert_eq!(read("1'000.50").as_deref(), Some("1000.50"));
        assert_eq!(read("1.000.000").as_deref(), Some("1000000"));
        assert_eq!(read("-12,500").as_deref(), Some("-12500"));
        // A decimal comma after grouping dots or spaces (Excel in German, French locales).
        assert_eq!(read("50.000,00").as_deref(), Some("50000.00"));
        assert_eq!(read("1.000.000,5").as_deref(), Some("1000000.5"));
        assert_eq!(read("50\u{a0}000,25").as_deref(), Some("50000.25"));
        assert_eq!(read("50\u{202f}000").as_deref(), Some("50000"));
        assert_eq!(read("50\u{2019}000.5").as_deref(), Some("50000.5"));
        assert_eq!(read("1,000,000.25").as_deref(), Some("1000000.25"));
        assert_eq!(read("1 000,000").as_deref(), Some("1000.000"));
        for not in [
            "1000",
            "1,00",
            "1,0000",
            "KA, BC",
            "1.5",
            "12,5",
            ",100",
            "1,000.5x",
            "1.000",
            "1.000,000,5",
            "1,000.000.5",
            "0,950",
            "1 000,00,0",
        ] {
            assert_eq!(read(not), None, "{not}");
        }
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(1234567.891), "1,234,567.89");
        assert_eq!(thousands(999.999), "1,000");
        assert_eq!(thousands(-1500.0), "-1,500");
        assert_eq!(thousands(100.0), "100");
        // Beyond 2^64 (a cast saturated at 2^128 - 1, printed for 1e39): as the number is.
        assert_eq!(thousands(1.0e39), "1e39");
        assert_eq!(thousands(-2.5e20), "-2.5e20");
        assert_eq!(thousands(f64::INFINITY), "inf");
        assert_eq!(thousands(1.0e18), "1,000,000,000,000,000,000");
    }

    #[test]
    fn values_as_written_in_yaml() {
        use serde_json::json;
        assert_eq!(as_yaml(&json!("A")), "A");
        assert_eq!(as_yaml(&json!("12")), "\"12\"");
        assert_eq!(as_yaml(&json!("")), "\"\"");
        assert_eq!(as_yaml(&json!(null)), "null");
        assert_eq!(as_yaml(&json!(8.0)), "8");
        assert_eq!(
            as_yaml(&json!(["business", "technical"])),
            "[business, technical]"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8() {
        assert_eq!(escape_bytes(b"Umsatz_\xe4"), "Umsatz_\\xE4");
        assert_eq!(escape_bytes("Mü\u{e4}".as_bytes()), "Mü\u{e4}");
        assert_eq!(escape_bytes(b"M\xfcller \xc3("), "M\\xFCller \\xC3(");
        assert_eq!(windows_1252(b"Umsatz_\xe4"), "Umsatz_ä");
        assert_eq!(windows_1252(b"\x80 \x9f \x81 \xff"), "€ Ÿ ? ÿ");
        assert_eq!(windows_1252("Mü\u{e4}".as_bytes()), "Mü\u{e4}");
    }

    #[test]
    fn texts_differing_only_in_what_a_screen_hides_are_shown_apart() {
        assert_eq!(visible("Średni"), "Średni");
        assert_eq!(visible("Key account"), "Key account");
        assert_eq!(visible("S\u{301}redni"), "\"S\\u{301}redni\"");
        assert_eq!(visible("Mały\u{a0}odbiorca"), "\"Mały\\u{a0}odbiorca\"");
        assert_eq!(
            visible("Velko\u{200b}odběratel"),
            "\"Velko\\u{200b}odběratel\""
        );
        assert_eq!(visible("Wholesale "), "\"Wholesale \"");
        // Marks that belong to a script written so (Hindi, Hebrew) are its letters.
        assert_eq!(visible("हिन्दी"), "हिन्दी");
        assert_eq!(visible("עִבְרִית"), "עִבְרִית");
        assert_eq!(
            unhidden("channel == \"Mały\u{a0}odbiorca\"\tx"),
            "channel == \"Mały\\u{a0}odbiorca\"\tx"
        );
        assert_eq!(unhidden("tier == \"A\""), "tier == \"A\"");
    }

    #[test]
    fn control_characters_are_escaped_for_a_terminal_and_accents_are_not() {
        assert_eq!(printable("Zu\u{308}rich"), "Zu\u{308}rich");
        assert_eq!(printable("C\u{1b}[2J"), "C\\u{1b}[2J");
        assert_eq!(printable("Acme\n x\ty"), "Acme\\u{a} x\\u{9}y");
        assert_eq!(printable("Gen\u{e8}ve"), "Gen\u{e8}ve");
    }

    #[test]
    fn utf16_with_its_mark_is_read_as_text() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("tier: Średni\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(utf16(&le), Some(Some("tier: Średni\n".to_owned())));
        let mut be = vec![0xFE, 0xFF];
        be.extend("Ž".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(utf16(&be), Some(Some("Ž".to_owned())));
        assert_eq!(utf16(&[0xFF, 0xFE, 0x41]), Some(None));
        assert_eq!(utf16(b"tier: A"), None);
        assert_eq!(not_utf8(b"a: 1\nb: \xB9x"), Some((0xB9, 2, 4)));
        assert_eq!(not_utf8("ok ś".as_bytes()), None);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "warning"), "0 warnings");
        assert_eq!(plural(3467, "day"), "3,467 days");
    }
}
