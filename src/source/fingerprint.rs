//! A hash of every value a run read, as a run records it (`policy_run.data_fingerprint`):
//! `explain` and `report` of its period tell by it whether the data they read now is the
//! data the run read.
//!
//! Each value is hashed with its customer's id and the hashes are added up per column, so
//! the rows' order does not count: a customers table re-imported in another order (an ERP
//! export sorted otherwise this month) is the same data, and said "changed" it sent an
//! audit after changes no one made. Not a defence against forgery (a sum of 64-bit mixes,
//! no key): it tells a value changed, a row added or gone.

use super::{Column, Dataset};
use rayon::prelude::*;

/// Marks fingerprints made this way: a run recorded with an earlier scheme (hashed in row
/// order) cannot be compared with, rather than said changed.
pub const SCHEME: &str = "u1-";

impl Dataset {
    /// The data's fingerprint: [`SCHEME`] and 32 hex digits.
    pub fn fingerprint(&self) -> String {
        let id_column = &self.columns[self.id_column];
        let rows: Vec<u64> = (0..self.len)
            .into_par_iter()
            .map(|i| row_key(id_column, i))
            .collect();
        let columns: Vec<[u64; 2]> = (self.names.par_iter().zip(&self.columns))
            .map(|(name, column)| column_sum(name, column, &rows))
            .collect();
        let mut h = blake3::Hasher::new();
        h.update(&(self.len as u64).to_le_bytes());
        for [a, b] in columns {
            h.update(&a.to_le_bytes());
            h.update(&b.to_le_bytes());
        }
        format!("{SCHEME}{}", &h.finalize().to_hex()[..32])
    }
}

/// The sum over rows of each value mixed with its row's id, twice (128 bits), with the
/// column's name. A column not read (no rule uses it) holds no values: its name alone.
/// A loop per kind of column: a match per value took ten times the time.
fn column_sum(name: &str, column: &Column, rows: &[u64]) -> [u64; 2] {
    let named = text_hash(name.as_bytes());
    if column.len() != rows.len() {
        return [named, column.len() as u64];
    }
    let mut sums = [0u64, 0u64];
    let mut add = |i: usize, value: u64| {
        let h = mix(rows[i] ^ named, value);
        sums[0] = sums[0].wrapping_add(h);
        sums[1] = sums[1].wrapping_add((h ^ (h >> 29)).wrapping_mul(0x94d0_49bb_1331_11eb));
    };
    // NULL is one value whatever the column's kind; each kind is told apart from the others
    // (the integer 1, the decimal 1.0 and the text `1` differ).
    const NULL: u64 = 0x5851_f42d_4c95_7f2d;
    let kind = |k: u64, bits: u64| bits ^ k.wrapping_mul(0xd6e8_feb8_6659_fd93);
    fn each(nulls: &[bool], mut add: impl FnMut(usize, u64), value: impl Fn(usize) -> u64) {
        for (i, &null) in nulls.iter().enumerate() {
            add(i, if null { NULL } else { value(i) });
        }
    }
    match column {
        Column::Null(_) => (0..rows.len()).for_each(|i| add(i, NULL)),
        Column::Int { values, nulls } => each(nulls, add, |i| kind(1, values[i] as u64)),
        Column::Float { values, nulls } => each(nulls, add, |i| kind(2, values[i].to_bits())),
        Column::Text { text, ends, nulls } => each(nulls, add, |i| {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            kind(3, text_hash(&text.as_bytes()[start..ends[i]]))
        }),
        Column::Date { days, nulls } => each(nulls, add, |i| kind(4, days[i].0 as u64)),
        Column::Bool { values, nulls } => each(nulls, add, |i| kind(5, values[i] as u64)),
        Column::Mixed(values) => (0..rows.len()).for_each(|i| {
            let v = &values[i];
            let shown = format!("{}\0{v}", v.type_name());
            add(i, kind(6, text_hash(shown.as_bytes())));
        }),
    }
    sums
}

/// Row `i`'s id as a word.
fn row_key(column: &Column, i: usize) -> u64 {
    match column {
        Column::Text { text, ends, nulls } if !nulls[i] => {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            text_hash(&text.as_bytes()[start..ends[i]])
        }
        Column::Int { values, nulls } if !nulls[i] => mix(1, values[i] as u64),
        other => text_hash(other.id_text(i).as_bytes()),
    }
}

/// Two words into one, every bit of each reaching every bit of the result (splitmix64's
/// finaliser over their combination).
fn mix(a: u64, b: u64) -> u64 {
    let mut x = a.rotate_left(23) ^ b.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Text's bytes into a word, eight at a time, its length included.
fn text_hash(bytes: &[u8]) -> u64 {
    let mut h = mix(bytes.len() as u64, 0x243f_6a88_85a3_08d3);
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(word));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, Field};
    use super::*;

    fn data(rows: &[(&str, Option<f64>, &str)]) -> Dataset {
        let fields = [
            Field::new("id", Some("TEXT")),
            Field::new("sales", Some("REAL")),
            Field::new("segment", Some("TEXT")),
        ];
        let rows: Vec<Vec<Cell>> = (rows.iter())
            .map(|(id, sales, segment)| {
                vec![
                    Cell::Text((*id).into()),
                    sales.map_or(Cell::Null, Cell::Real),
                    Cell::Text((*segment).into()),
                ]
            })
            .collect();
        Dataset::from_rows(&fields, "id", &rows).unwrap()
    }

    #[test]
    fn the_same_rows_in_another_order_are_the_same_data() {
        let a = data(&[
            ("C1", Some(10.0), "x"),
            ("C2", None, "y"),
            ("C3", Some(0.5), ""),
        ]);
        let b = data(&[
            ("C3", Some(0.5), ""),
            ("C1", Some(10.0), "x"),
            ("C2", None, "y"),
        ]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert!(a.fingerprint().starts_with(SCHEME));
        assert_eq!(a.fingerprint().len(), SCHEME.len() + 32);
    }

    #[test]
    fn a_value_changed_moved_or_gone_is_other_data() {
        let a = data(&[("C1", Some(10.0), "x"), ("C2", Some(20.0), "y")]);
        let others = [
            // a value changed
            data(&[("C1", Some(10.5), "x"), ("C2", Some(20.0), "y")]),
            // two customers' values swapped
            data(&[("C1", Some(20.0), "x"), ("C2", Some(10.0), "y")]),
            // a value become NULL, or 0
            data(&[("C1", None, "x"), ("C2", Some(20.0), "y")]),
            data(&[("C1", Some(0.0), "x"), ("C2", Some(20.0), "y")]),
            // a customer gone, or added
            data(&[("C1", Some(10.0), "x")]),
            data(&[
                ("C1", Some(10.0), "x"),
                ("C2", Some(20.0), "y"),
                ("C3", None, ""),
            ]),
            // a customer renamed
            data(&[("C1", Some(10.0), "x"), ("C9", Some(20.0), "y")]),
            // text split otherwise
            data(&[("C1", Some(10.0), "xy"), ("C2", Some(20.0), "")]),
        ];
        for other in &others {
            assert_ne!(a.fingerprint(), other.fingerprint(), "{other:?}");
        }
    }
}
