use super::super::testing::show;
use super::*;
use std::path::PathBuf;

/// The risk table of the README, as Excel saves it as CSV (every row as wide as the widest).
const RISK_CSV: &str = "\u{feff}hit: first,doc: Risk by segment and lateness,,,\r
id,segment,overdue_days ?? 0,note,risk\r
,input,input,output,\"output; values: high, medium, low; default: low\"\r
risk-exit,exit,-,exit,high\r
risk-late,\"not(\"\"KA\"\", \"\"BC\"\")\",> 60,null,medium\r
,,,,\r
risk-odd,  KA  ,,,\r
";

/// A spreadsheet's shadow document (`None` when it does not read) and its diagnostics.
fn read_sheet(name: &str, bytes: &[u8]) -> (Option<Arc<SourceFile>>, Vec<String>) {
    let mut diags = Sink::default();
    let path = PathBuf::from("/project/rules").join(name);
    let file = read(&path, bytes, &mut diags);
    (file, show(&diags.0, Path::new("/project")))
}

fn shadow_text(name: &str, bytes: &[u8]) -> String {
    match read_sheet(name, bytes) {
        (Some(file), _) => file.text.clone(),
        (None, diags) => panic!("does not read: {diags:#?}"),
    }
}

/// The diagnostics of a spreadsheet that does not read.
fn sheet_errors(name: &str, bytes: &[u8]) -> Vec<String> {
    match read_sheet(name, bytes) {
        (None, diags) => diags,
        (Some(file), diags) => panic!("reads, with {diags:?}:\n{}", file.text),
    }
}

#[test]
fn a_csv_table_is_the_yaml_document_it_stands_for() {
    assert_eq!(
        shadow_text("risk.csv", RISK_CSV.as_bytes()),
        r#"decisions:
  - name: "risk"
    hit: first
    doc: "Risk by segment and lateness"
    outputs:
      - "note"
      - { name: "risk", values: [high, medium, low], default: low }
    grid: |
      id | segment | overdue_days ?? 0 | note | risk
      risk-exit | exit | - | exit | high
      risk-late | not("KA", "BC") | > 60 | null | medium
      risk-odd | KA | | |
"#
    );
}

#[path = "../../../../tests/common/workbook.rs"]
mod workbook;
pub(crate) use workbook::{workbook, write_cell};

pub(crate) const TIERS: &[&[&str]] = &[
    &["hit: first", "doc: Tiers by sales"],
    &["id", "annual_sales ?? 0", "since", "tier", "discount"],
    &[
        "id",
        "input",
        "input",
        "output; values: gold, silver",
        "output",
    ],
    &["t-gold", ">= 500000", "", "gold", "0.15"],
    &[
        "t-silver",
        ">= 100000",
        "< 2025-01-31",
        "silver",
        "=2+3 -> 5",
    ],
    &["", "", "", "", ""],
    &["t-rest", "true", "", "null", "0"],
];

#[test]
fn a_workbook_s_table_sheets_are_decisions_and_its_notes_are_left_out() {
    let bytes = workbook(&[
        ("#notes", &[&["anything"]]),
        ("tiers", TIERS),
        ("empty", &[]),
        ("Lookup", &[&["region", "manager"]]),
        (
            "risk",
            &[
                &["hit: any"],
                &["segment", "flag"],
                &["input", "output"],
                &["KA", "true"],
            ],
        ),
    ]);
    let (file, diags) = read_sheet("pricing.xlsx", &bytes);
    assert_eq!(
        file.unwrap().text,
        r#"decisions:
  - name: "tiers"
    hit: first
    doc: "Tiers by sales"
    outputs:
      - { name: "tier", values: [gold, silver] }
      - "discount"
    grid: |
      id | annual_sales ?? 0 | since | tier | discount
      t-gold | >= 500000 | | gold | 0.15
      t-silver | >= 100000 | < 2025-01-31 | silver | 5
      t-rest | true | | null | 0
  - name: "risk"
    hit: any
    outputs:
      - "flag"
    grid: |
      segment | flag
      KA | true
"#
    );
    assert_eq!(
        diags,
        [
            "warning rules/pricing.xlsx, sheet tiers, E5: E5 holds a formula: its saved value 5 is used; \
             the rules do not recompute it | help: type the value itself, or save the workbook again \
             after each change the formula depends on",
            "warning rules/pricing.xlsx, sheet Lookup, A1: sheet Lookup is not a decision table (A1 does \
             not say `hit: <policy>`): it is left out | help: a table's sheet says its hit policy in A1 \
             (`hit: first`); name a sheet of notes `#notes` to say it is not a table",
        ]
    );
}

#[test]
fn a_yaml_mistake_in_the_shadow_document_is_shown_at_its_cell() {
    let mut rows = TIERS.to_vec();
    rows[0] = &["hit: frist"];
    let bytes = workbook(&[("tiers", &rows)]);
    let (file, _) = read_sheet("pricing.xlsx", &bytes);
    let file = file.unwrap();
    let d = crate::diag::yaml::parse::<crate::rules::model::RuleFile>(&file).unwrap_err();
    assert_eq!(d.location(), "/project/rules/pricing.xlsx, sheet tiers, A1");
    let shown = d.to_string();
    assert!(shown.contains("1 | hit: frist\n  |      ^"), "{shown}");
    let json = d.to_json();
    assert_eq!(
        (json["sheet"].as_str(), json["cell"].as_str()),
        (Some("tiers"), Some("A1"))
    );
    assert_eq!(
        (json["line"].as_u64(), json["column"].as_u64()),
        (Some(1), Some(1))
    );
    // A run-time error names the cell the same way.
    assert_eq!(
        file.place(9, 16),
        "/project/rules/pricing.xlsx, sheet tiers, B4"
    );
}

#[test]
fn an_unreadable_workbook_merged_cells_and_error_values_are_errors() {
    let bytes = workbook(&[("tiers", TIERS)]);
    assert_eq!(
        sheet_errors("pricing.xlsx", &bytes[..bytes.len() / 2]),
        [
            "error rules/pricing.xlsx: this file could not be read as a workbook (is it still being saved?) \
          | help: save it again from Excel or LibreOffice (the reader says: Zip error: invalid Zip archive: Could not find EOCD)"
        ]
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("tiers").unwrap();
    for (r, cells) in TIERS.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            write_cell(sheet, r as u32, c as u16, text);
        }
    }
    let format = rust_xlsxwriter::Format::new();
    sheet
        .merge_range(0, 1, 0, 3, "doc: merged in row 1 is fine", &format)
        .unwrap();
    sheet.merge_range(3, 3, 4, 3, "gold", &format).unwrap();
    sheet
        .write_formula(
            6,
            4,
            rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!"),
        )
        .unwrap();
    let errors = sheet_errors("pricing.xlsx", &book.save_to_buffer().unwrap());
    assert_eq!(
        errors,
        [
            "error rules/pricing.xlsx, sheet tiers, E7: E7 holds the error value #DIV/0! \
             | help: correct the cell (or the formula it holds) and save the workbook",
            "warning rules/pricing.xlsx, sheet tiers, E5: E5 holds a formula: its saved value 5 is used; \
             the rules do not recompute it | help: type the value itself, or save the workbook again \
             after each change the formula depends on",
            "error rules/pricing.xlsx, sheet tiers, D4: cells D4:D5 are merged: a table needs one value \
             per cell | help: unmerge them (Excel: Home, Merge & Center, Unmerge Cells) and fill each cell",
        ]
    );
}

#[test]
fn a_workbook_without_a_table_and_a_sheet_with_a_bad_name_are_errors() {
    let bytes = workbook(&[("#notes", &[&["hit: first"]]), ("Sheet1", &[&["region"]])]);
    let errors = sheet_errors("pricing.xlsx", &bytes);
    assert_eq!(
        errors.last().unwrap(),
        "error rules/pricing.xlsx: no decision table in pricing.xlsx: a table's sheet says its hit \
         policy in A1 (`hit: first`) | help: row 1 holds the table's settings (A1: `hit: first`), \
         row 2 its header, row 3 each column's kind, then one rule per row"
    );
    let bytes = workbook(&[("price list", TIERS)]);
    assert_eq!(
        sheet_errors("pricing.xlsx", &bytes)[0],
        "error rules/pricing.xlsx, sheet price list: sheet `price list` is not a valid decision name: \
         a sheet's name is its table's decision's | help: rename the sheet: letters, digits and `_`, \
         not starting with a digit"
    );
}

#[test]
fn excel_s_semicolon_csv_reads_the_same() {
    let semicolons = "hit: first;doc: Risk by segment and lateness;;;\n\
        id;segment;overdue_days ?? 0;note;risk\n\
        ;input;input;output;output; values: high, medium, low; default: low\n";
    // (The kinds row holds `;` unquoted: there it splits the cell, so it is quoted below.)
    let semicolons = semicolons.replace(
        "output; values: high, medium, low; default: low",
        "\"output; values: high, medium, low; default: low\"",
    );
    let text = shadow_text("risk.csv", semicolons.as_bytes());
    assert!(
        text.contains("      - { name: \"risk\", values: [high, medium, low], default: low }\n"),
        "{text}"
    );
    assert!(
        text.ends_with("      id | segment | overdue_days ?? 0 | note | risk\n"),
        "{text}"
    );
}

#[test]
fn each_csv_mistake_is_shown_at_its_cell() {
    let csv = |rows: &[&str]| rows.join("\n") + "\n";
    let head = ["hit: first", "id,segment,tier", "id,input,output"];
    let with = |more: &[&str]| csv(&[&head[..], more].concat());
    for (rows, expected) in [
        (
            with(&["t-a,KA", "t-b,BC,gold"]),
            "error rules/risk.csv, A4: row 4 has 2 cells, the header has 3 | help: each row has one \
             cell per column: check for a missing or extra separator",
        ),
        (
            with(&["t-a,KA | BC,gold"]),
            "error rules/risk.csv, B4: a cell of the table holds a single `|` | help: `|` separates \
             the cells of a grid; write `||` for \"or\"",
        ),
        (
            with(&["t-a,\"KA\nBC\",gold"]),
            "error rules/risk.csv, B4: a cell of the table holds a line break | help: write the cell \
             on one line",
        ),
        (
            csv(&["hit: first,aggregat: sum", head[1], head[2], "t-a,KA,gold"]),
            "error rules/risk.csv, B1: unknown setting `aggregat`: did you mean `aggregate`? | help: \
             row 1 may say `aggregate: sum`, `by: <output>` or `doc: <text>`, one per cell",
        ),
        (
            csv(&["tier table", head[1], head[2]]),
            "error rules/risk.csv, A1: A1 must say the table's hit policy: `hit: first` | help: row 1 \
             holds the settings, one `key: value` per cell, and A1 the hit policy (`hit: first`, \
             `unique`, `any`, `collect`, `max`, `min`, ...)",
        ),
        (
            csv(&[head[0], head[1], "id,,output"]),
            "error rules/risk.csv, B3: row 3 must say whether column B (`segment`) is an `input` or \
             an `output` | help: row 3: `input`, `output`, or `output; values: high, medium, low; \
             default: low`",
        ),
        (
            csv(&[head[0], "id,tier,segment", "id,output,input"]),
            "error rules/risk.csv, C3: an input column after an output column | help: put the input \
             columns first, then the output columns",
        ),
        (
            csv(&[head[0], head[1], "id,input,\"output; order: a, b\""]),
            "error rules/risk.csv, C3: unknown key `order` for an output column | help: row 3: \
             `output; values: high, medium, low; default: low`",
        ),
        (
            csv(&[
                head[0],
                "id,segment,tier,",
                "id,input,output,",
                "t-a,KA,gold,oops",
            ]),
            "error rules/risk.csv, D4: this cell is right of the table's last column | help: give its \
             column a header in row 2, or clear the cell",
        ),
        (
            csv(&[head[0], "id,,tier", head[2]]),
            "error rules/risk.csv, B2: this column has no header (row 2)",
        ),
    ] {
        assert_eq!(
            sheet_errors("risk.csv", rows.as_bytes()),
            [expected],
            "{rows}"
        );
    }
}

#[test]
fn a_csv_file_that_is_not_utf8_or_badly_named_is_an_error_at_the_file() {
    assert_eq!(
        sheet_errors(
            "risk.csv",
            b"hit: first\nid,segment\n,input\nt-a,M\xfcnchen\n"
        ),
        [
            "error rules/risk.csv: this CSV file is not UTF-8 text: byte 0xFC at byte 35 (line 4) \
          | help: save it as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8 (Comma delimited))"
        ]
    );
    assert_eq!(
        sheet_errors("risk table.csv", RISK_CSV.as_bytes()),
        [
            "error rules/risk table.csv: `risk table` is not a valid decision name: a CSV file's name \
          is its decision's | help: rename the file: letters, digits and `_`, not starting with a digit"
        ]
    );
}

#[test]
fn row_and_column_numbers_follow_empty_lines() {
    // An empty line is an empty row: the csv reader skips it, the cell names do not.
    let text = "hit: first\nid,segment,tier\nid,input,output\n\nt-a,KA\n";
    assert_eq!(
        sheet_errors("risk.csv", text.as_bytes()),
        [
            "error rules/risk.csv, A5: row 5 has 2 cells, the header has 3 | help: each row has one \
          cell per column: check for a missing or extra separator"
        ]
    );
}

/// An OpenDocument spreadsheet (LibreOffice's `.ods`) of `sheets`: numbers as floats, the
/// rest as text; a row whose first cell starts with `~` is hidden (the `~` left out).
fn ods(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::{SimpleFileOptions, ZipWriter};
    let mut body = String::new();
    for (name, rows) in sheets {
        body.push_str(&format!("<table:table table:name=\"{name}\">"));
        for cells in rows.iter() {
            let hidden = cells.first().is_some_and(|c| c.starts_with('~'));
            body.push_str(match hidden {
                true => "<table:table-row table:visibility=\"collapse\">",
                false => "<table:table-row>",
            });
            for text in cells.iter() {
                let text = text.strip_prefix('~').unwrap_or(text);
                body.push_str(&match text.parse::<f64>() {
                    _ if text.is_empty() => "<table:table-cell/>".to_owned(),
                    Ok(n) => format!(
                        "<table:table-cell office:value-type=\"float\" office:value=\"{n}\"><text:p>{n}</text:p></table:table-cell>"
                    ),
                    Err(_) => format!(
                        "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
                    ),
                });
            }
            body.push_str("</table:table-row>");
        }
        body.push_str("</table:table>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>\
         </office:document-content>"
    );
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
          <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
          <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
          <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
          </manifest:manifest>",
    )
    .unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_libreoffice_workbook_reads_like_an_excel_one() {
    let rows: &[&[&str]] = &[
        &["hit: first"],
        &["id", "annual_sales ?? 0", "discount"],
        &["id", "input", "output"],
        &["d-big", ">= 100", "10"],
        &["d-some", "> 0", "2.5"],
    ];
    let (file, diags) = read_sheet("plan.ods", &ods(&[("discount", rows)]));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        file.unwrap().text,
        "decisions:\n  - name: \"discount\"\n    hit: first\n    outputs:\n      - \"discount\"\n    grid: |\n      \
         id | annual_sales ?? 0 | discount\n      d-big | >= 100 | 10\n      d-some | > 0 | 2.5\n"
    );
}

/// A row LibreOffice hides (`table:visibility="collapse"`) is a live rule, with a warning, as
/// in an Excel workbook; the empty rows it repeats below a table are no rules.
#[test]
fn a_hidden_libreoffice_row_is_a_live_rule_with_a_warning() {
    let rows: &[&[&str]] = &[
        &["hit: first"],
        &["id", "annual_sales ?? 0", "discount"],
        &["id", "input", "output"],
        &["~d-big", ">= 100", "10"],
        &["d-some", "> 0", "2.5"],
    ];
    let (file, diags) = read_sheet("plan.ods", &ods(&[("discount", rows)]));
    assert!(file.unwrap().text.contains("d-big | >= 100 | 10"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].contains("row 4 of sheet discount is hidden, and its rule is live"),
        "{diags:?}"
    );
}
