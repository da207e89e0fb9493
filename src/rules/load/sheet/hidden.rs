//! The rows a workbook hides (by hand, or under a filter), per sheet: calamine reads their
//! cells like any others, so a row an admin hid to "switch off" a rule is a live rule. Read
//! from the workbook's XML: in an `.xlsx`, `xl/workbook.xml` names each sheet's part,
//! through `xl/_rels/workbook.xml.rels`, and each sheet's `<row r="7" hidden="1">` says it;
//! in an `.ods`, `content.xml`'s rows say `table:visibility="collapse"` (or `"filter"`).

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::collections::HashMap;
use std::io::{Cursor, Read};

type Archive = zip::ZipArchive<Cursor<Vec<u8>>>;

/// Per sheet name, its hidden rows (0-based); empty when the workbook cannot be read so (a
/// workbook that does not read is reported where it is opened).
pub(super) fn hidden_rows(bytes: &[u8], extension: &str) -> HashMap<String, Vec<u32>> {
    match extension {
        "ods" => hidden_rows_ods(bytes),
        _ => hidden_rows_xlsx(bytes),
    }
}

/// Rows past this many are not looked at (LibreOffice repeats the empty rows below a table
/// a million times).
const MOST_ROWS: u32 = 1 << 20;

fn hidden_rows_ods(bytes: &[u8]) -> HashMap<String, Vec<u32>> {
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes.to_vec())) else {
        return out;
    };
    let mut xml = String::new();
    let read = zip
        .by_name("content.xml")
        .map(|mut f| f.read_to_string(&mut xml));
    if !matches!(read, Ok(Ok(_))) {
        return out;
    }
    let mut reader = Reader::from_str(&xml);
    let (mut sheet, mut row) = (String::new(), 0u32);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table" => {
                (sheet, row) = (value(&e, "table:name"), 0);
            }
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().as_ref() == "table:table-row" => {
                let repeated = value(&e, "table:number-rows-repeated").parse().unwrap_or(1);
                let end = row.saturating_add(repeated).min(MOST_ROWS);
                if matches!(
                    value(&e, "table:visibility").as_str(),
                    "collapse" | "filter"
                ) {
                    out.entry(sheet.clone()).or_default().extend(row..end);
                }
                row = end;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn hidden_rows_xlsx(bytes: &[u8]) -> HashMap<String, Vec<u32>> {
    let mut out = HashMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes.to_vec())) else {
        return out;
    };
    let sheets = elements(&mut zip, "xl/workbook.xml", "sheet", &["name", "r:id"]);
    let targets: HashMap<String, String> = elements(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        "Relationship",
        &["Id", "Target"],
    )
    .into_iter()
    .map(|mut pair| (std::mem::take(&mut pair[0]), std::mem::take(&mut pair[1])))
    .collect();
    for sheet in sheets {
        let Some(target) = targets.get(&sheet[1]) else {
            continue;
        };
        // Relative to `xl/`, or absolute within the package.
        let part = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_owned(),
            None => format!("xl/{target}"),
        };
        let rows: Vec<u32> = elements(&mut zip, &part, "row", &["r", "hidden"])
            .into_iter()
            .filter(|row| matches!(row[1].as_str(), "1" | "true"))
            .filter_map(|row| row[0].parse::<u32>().ok()?.checked_sub(1))
            .collect();
        if !rows.is_empty() {
            out.insert(sheet[0].clone(), rows);
        }
    }
    out
}

/// The values of `attributes` of every `tag` element of part `part` (an empty text for an
/// attribute an element lacks).
fn elements(zip: &mut Archive, part: &str, tag: &str, attributes: &[&str]) -> Vec<Vec<String>> {
    let mut xml = String::new();
    let read = zip.by_name(part).map(|mut f| f.read_to_string(&mut xml));
    if !matches!(read, Ok(Ok(_))) {
        return Vec::new();
    }
    let mut reader = Reader::from_str(&xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().as_ref() == tag => {
                out.push(attributes.iter().map(|a| value(&e, a)).collect());
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn value(e: &BytesStart, attribute: &str) -> String {
    match e.try_get_attribute(attribute) {
        Ok(Some(a)) => (a.normalized_value(XmlVersion::Implicit1_0))
            .map(|v| v.into_owned())
            .unwrap_or_default(),
        _ => String::new(),
    }
}
