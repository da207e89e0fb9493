//! Decision tables in spreadsheets (`rules/*.csv`, `rules/*.xlsx`) on the real binary: their
//! mistakes are shown at the cell, a half-saved workbook keeps the last good rules, and their
//! tables decide like YAML tables. Workbooks are written with rust_xlsxwriter, as Excel
//! would save them (tests/common/workbook.rs).

mod common;

use common::*;
#[path = "common/workbook.rs"]
mod workbook;

use workbook::workbook;

/// Tiers by sales: gold, silver, else bronze (the default); a discount per tier, silver's
/// computed by a formula in the workbook.
const TIERS: &[&[&str]] = &[
    &["hit: first", "doc: Tiers by annual sales"],
    &["id", "annual_sales ?? 0", "tier", "discount"],
    &[
        "id",
        "input",
        "output; values: gold, silver, bronze; default: bronze",
        "output",
    ],
    &["t-gold", ">= 400", "gold", "0.15"],
    &["t-silver", ">= 40", "silver", "=0.1/2 -> 0.05"],
];

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[
            vec![text("C1"), real(50.0), int(0), text("KA")],
            vec![text("C2"), real(500.0), int(70), text("BC")],
            vec![text("C3"), real(0.0), null(), text("KA")],
            vec![text("C4"), real(10.0), int(5), text("BC")],
        ],
    );
    fx
}

/// The diagnostic `check` printed at `location` (its blocks are separated by blank lines).
fn diagnostic_at(run: &Run, location: &str) -> String {
    let arrow = format!("--> {location}");
    run.stdout
        .split("\n\n")
        .find(|block| block.lines().nth(1).is_some_and(|l| l.trim() == arrow))
        .unwrap_or_else(|| panic!("no diagnostic at {location}:\n{}", run.stdout))
        .to_owned()
}

fn write(fx: &Fixture, name: &str, bytes: &[u8]) {
    std::fs::write(fx.path("rules").join(name), bytes).unwrap();
}

#[test]
fn a_mistake_in_a_settings_cell_is_shown_at_the_cell_with_its_row() {
    let fx = fixture();
    let mut rows = TIERS.to_vec();
    rows[0] = &["hit: frist", "doc: Tiers by annual sales"];
    write(&fx, "pricing.xlsx", &workbook(&[("tiers", &rows)]));
    let run = fx.run(&["check"]);
    run.assert_code(2);
    let d = diagnostic_at(&run, "rules/pricing.xlsx, sheet tiers, A1");
    // (The list of hit policies grows: only its start is checked.)
    let (message, rest) = d.split_once("\n").unwrap();
    assert!(
        message.starts_with("error: unknown value `frist`, expected one of first, unique,"),
        "{message}"
    );
    assert_eq!(
        rest,
        " --> rules/pricing.xlsx, sheet tiers, A1\n  |\n\
         1 | hit: frist | doc: Tiers by annual sales\n  |      ^\n  \
         = help: did you mean `first`?"
    );
    let run = fx.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diag = &json["diagnostics"][1];
    assert_eq!(diag["file"], "rules/pricing.xlsx");
    assert_eq!(
        (&diag["sheet"], &diag["cell"]),
        (&"tiers".into(), &"A1".into())
    );
    assert_eq!((&diag["line"], &diag["column"]), (&1.into(), &1.into()));
}

#[test]
fn spreadsheet_mistakes_are_errors_at_their_cells_and_lock_files_are_skipped() {
    let fx = fixture();
    write(
        &fx,
        "discount.csv",
        b"hit: first,,\nid,annual_sales,discount\nid,input,output\nd-a,>= 100,5\nd-b,>= 10\n",
    );
    let mut book = workbook(&[("tiers", TIERS)]);
    write(&fx, "~$pricing.xlsx", b"\x0bEXCEL-LOCK");
    book.truncate(book.len() / 2);
    write(&fx, "pricing.xlsx", &book);
    let run = fx.run(&["check"]);
    run.assert_code(2);
    let d = diagnostic_at(&run, "rules/discount.csv, A5");
    assert!(
        d.contains("error: row 5 has 2 cells, the header has 3"),
        "{d}"
    );
    assert!(d.contains("5 | d-b | >= 10\n  | ^"), "{d}");
    let d = diagnostic_at(&run, "rules/pricing.xlsx");
    assert!(
        d.starts_with(
            "error: this file could not be read as a workbook (is it still being saved?)"
        ),
        "{d}"
    );
    assert!(
        run.stdout.contains(
            "warning: skipped: an Excel lock file (`~$` name), not a rule file\n --> rules/~$pricing.xlsx\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_half_saved_workbook_keeps_the_last_good_rules() {
    let fx = fixture();
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: annual_sales >= 100, then: { tier: A } }\n      - { id: c, then: { tier: C } }\n",
    );
    let mut w = Spawned::start(
        fx.dir.path(),
        &["--config", "config.yaml", "watch", "--debounce-ms", "150"],
    );
    w.wait_for("in force");
    let mut book = workbook(&[("tiers", TIERS)]);
    book.truncate(book.len() / 3);
    write(&fx, "pricing.xlsx", &book);
    let out = w.wait_for("kept the last good rules").join("\n");
    assert!(
        out.contains("could not be read as a workbook (is it still being saved?)"),
        "{out}"
    );
    assert!(out.contains("--> rules/pricing.xlsx"), "{out}");
}

// The tests below evaluate the tables: a spreadsheet decides as its grid would.

#[test]
fn a_csv_table_decides_like_a_yaml_table() {
    let fx = fixture();
    write(
        &fx,
        "discount.csv",
        b"hit: first,doc: Discount by sales and channel,\n\
          id,annual_sales,channel,discount\n\
          id,input,input,output\n\
          d-big,>= 100,,10\n\
          d-ka,,\"\"\"KA\"\"\",5\n\
          ,,,\n\
          d-rest,,,0\n",
    );
    fx.run_ok(&[]);
    let discount = column(&fx.latest(), "discount");
    assert_eq!(
        discount,
        expect(&[
            ("C1", int(5)),
            ("C2", int(10)),
            ("C3", int(5)),
            ("C4", int(0))
        ])
    );
}

/// A CSV table saved as Excel's "Unicode text" (UTF-16 with its mark): "not UTF-8 text: byte
/// 0xFF", and every use of its output "unknown". Read as the text it is.
#[test]
fn a_csv_table_saved_as_utf16_decides_as_saved_in_utf8() {
    let fx = fixture();
    let csv = "hit: first,doc: Discount by sales\nid,annual_sales,discount\nid,input,output\nd-big,>= 100,10\nd-rest,,0\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(csv.encode_utf16().flat_map(u16::to_le_bytes));
    write(&fx, "discount.csv", &bytes);
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "discount"),
        expect(&[
            ("C1", int(0)),
            ("C2", int(10)),
            ("C3", int(0)),
            ("C4", int(0))
        ])
    );
}

/// A CSV table's cell pasted with a no-break space (`"KA\u{a0}"`, from Excel): the row
/// matched no customer, and only `check --data` could tell. Said at its cell.
#[test]
fn an_invisible_character_in_a_csv_cell_is_a_warning_at_the_cell() {
    let fx = fixture();
    write(
        &fx,
        "discount.csv",
        "hit: first,doc: Discount by channel\n\
          id,channel,discount\n\
          id,input,output\n\
          d-ka,\"\"\"KA\u{a0}\"\"\",5\n\
          d-rest,,0\n"
            .as_bytes(),
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let d = diagnostic_at(&check, "rules/discount.csv, B4");
    assert!(
        d.contains("a no-break space (U+00A0) is written here"),
        "{d}"
    );
}

/// A number column saved from Excel as it is displayed (`50.000,00`, `50 000`, `$1,200`):
/// every cell text. It loaded as a text column, every customer got the characters and
/// `SUM(credit_limit)` read 3,450 for 4,450,000, no word said. Each cell is an error saying
/// the number to write; beside plain numbers, the formatted cells are the errors (not the
/// one plain number among them).
#[test]
fn amounts_saved_with_their_display_format_are_errors_at_their_cells() {
    let fx = fixture();
    write(
        &fx,
        "credit.csv",
        "hit: first;;\nid;channel;credit_limit\nid;input;output\nc-ka;KA;50.000,00\nc-bc;BC;20\u{a0}000\nc-x;;5.000 \u{20ac}\n".as_bytes(),
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    let c4 = diagnostic_at(&check, "rules/credit.csv, C4");
    assert!(
        c4.starts_with(
            "error: row `c-ka` gives `credit_limit` the text \"50.000,00\", not a number"
        ),
        "{c4}"
    );
    assert!(
        c4.contains("= help: write 50000.00 without thousands separators, with a decimal point: `50.000,00` is text here; the column is saved as it is displayed"),
        "{c4}"
    );
    assert!(
        diagnostic_at(&check, "rules/credit.csv, C5")
            .contains("help: write 20000 without thousands separators"),
        "{}",
        check.stdout
    );
    assert!(
        diagnostic_at(&check, "rules/credit.csv, C6").contains(
            "help: write 5.000 (or 5000 if the dot separates thousands), without the currency"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.ends_with("3 errors in the rule files\n"),
        "{}",
        check.stdout
    );
    fx.run(&["run"]).assert_code(2);
    assert_eq!(fx.policy_row_count(), 0);

    // Beside plain numbers, the formatted amounts are the slips, whichever are more.
    write(
        &fx,
        "credit.csv",
        b"hit: first,,\nid,channel,credit_limit\nid,input,output\nc-ka,KA,\"$50,000\"\nc-bc,BC,\"20,000.50\"\nc-x,,5000\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        diagnostic_at(&check, "rules/credit.csv, C4").contains(
            "help: write 50000 (or 50.000 if the comma is a decimal point), without the currency"
        ),
        "{}",
        check.stdout
    );
    assert!(
        diagnostic_at(&check, "rules/credit.csv, C5")
            .contains("help: write 20000.50 without thousands separators"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.ends_with("2 errors in the rule files\n"),
        "{}",
        check.stdout
    );

    // Digit groups alone, no currency, no decimals: account numbers, postcodes. They load.
    write(
        &fx,
        "credit.csv",
        b"hit: first,,\nid,channel,account\nid,input,output\nc-ka,KA,4.100.200\nc-bc,BC,110 001\nc-x,,4.900.000\n",
    );
    fx.run(&["check"]).assert_code(0);
}

/// `0,1` typed for "0 or 1" in a `;` file reads as the decimal 0.1, which a column of whole
/// numbers never equals: the row matched no one, `check` clean. On the data it is a warning
/// at the cell, saying how a list is written.
#[test]
fn a_decimal_a_whole_number_column_never_equals_is_said_on_the_data() {
    let fx = fixture();
    write(
        &fx,
        "late.csv",
        b"hit: first;;\nid;overdue_days;late\nid;input;output\nl-none;0,5;false\nl-rest;;true\n",
    );
    fx.run(&["check"]).assert_code(0);
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let warning = diagnostic_at(&check, "rules/late.csv, B4");
    assert!(
        warning.starts_with("warning: `overdue_days` holds whole numbers only in the data, so it is never equal to 0.5: the test holds for no one (in `l-none`)"),
        "{warning}"
    );
    assert!(
        warning.contains(
            "= help: if it is a list, write `0, 5` (in a `;` CSV file, `0,5` is the decimal 0.5"
        ),
        "{warning}"
    );
}

/// A spreadsheet's VLOOKUP band table pasted as a column of bounds: plain number cells are
/// equality tests, so only customers holding a bound to the cent got its concession (2,510
/// of 5,000 got 0%), and `check --data` said every row matched (a few customers sat on each
/// bound). A warning at the first cell, with how bands are written.
#[test]
fn a_column_of_bounds_tested_for_equality_on_amounts_is_said_on_the_data() {
    let fx = Fixture::new();
    let mut rows = Vec::new();
    for i in 0..60 {
        let sales = match i % 10 {
            0 => 50_000.0,
            1 => 100_000.0,
            _ => 1_234.56 * i as f64,
        };
        rows.push(vec![text(&format!("C{i:02}")), real(sales)]);
    }
    fx.customers("customer_id TEXT PRIMARY KEY, annual_sales REAL", &rows);
    write(
        &fx,
        "bands.csv",
        b"hit: first,\nid,annual_sales,concession\nid,input,output\nb-250,250000,5\nb-100,100000,3.5\nb-50,50000,2\nb-0,0,0\nb-rest,,0\n",
    );
    fx.run(&["check"]).assert_code(0);
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let warning = diagnostic_at(&check, "rules/bands.csv, B4");
    assert!(
        warning.starts_with("warning: `annual_sales` holds amounts with decimals, and is tested for being equal to 4 numbers (250000, 100000, 50000 and 1 more): only 12 of 60 customers hold one of them exactly, and the others match none of these tests (in `b-250`)"),
        "{warning}"
    );
    assert!(
        warning.contains("= help: for bands, test bounds: `annual_sales >= 250000` (a cell `>= 250000` in a table"),
        "{warning}"
    );
    // Bounds written as bounds: nothing to say.
    write(
        &fx,
        "bands.csv",
        b"hit: first,\nid,annual_sales,concession\nid,input,output\nb-250,>= 250000,5\nb-100,>= 100000,3.5\nb-50,>= 50000,2\nb-rest,,0\n",
    );
    let check = fx.run(&["check", "--data"]);
    assert!(
        !check.stdout.contains("amounts with decimals"),
        "{}",
        check.stdout
    );
}

/// A cell merged over two rows in Excel is saved in its first row only: the second row's
/// empty cell means any value, and the row it was meant for can never match. The warning
/// says what the empty cell means.
#[test]
fn an_unreachable_row_under_a_merged_cell_says_what_the_empty_cell_means() {
    let fx = fixture();
    write(
        &fx,
        "disc.csv",
        b"hit: first,,,\nid,channel,annual_sales,discount\nid,input,input,output\nr1,KA,>= 100,5\nr2,,< 100,3\nr3,BC,>= 100,4\nr4,,< 100,2\nr5,,,0\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let warning = diagnostic_at(&check, "rules/disc.csv, A7");
    assert!(
        warning.starts_with(
            "warning[TW101]: row `r4` can never match: row `r2` above has the same condition"
        ),
        "{warning}"
    );
    assert!(
        warning.ends_with("its `channel` cell is empty, which means any value: a cell merged over several rows in a spreadsheet keeps its value in the first row only, so write it in every row"),
        "{warning}"
    );
}

/// A spreadsheet's table that leaves some customers without a value is told to give the
/// output a default where a spreadsheet says it (row 3's kind cell), not in YAML it has not.
#[test]
fn a_sheet_without_a_default_is_told_where_its_default_goes() {
    let fx = fixture();
    write(
        &fx,
        "discount.csv",
        b"hit: first,\nid,channel,discount\nid,input,output\nd-ka,KA,5\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let warning = diagnostic_at(&check, "rules/discount.csv, A4");
    assert!(
        warning.ends_with("= help: give the output a default: write the output's kind cell in row 3 as `output; default: <value>`: the default is the output's value when no row of the table matches"),
        "{warning}"
    );
}

/// Excel in a decimal-comma locale saves `;` files whose numbers have decimal commas
/// (`0,5`) and thousands dots (`500.000` is 500000). A threshold typed `>= 500.000` read as
/// 500 and changed the commission of 1,486 customers instead of 38, `check` silent: a dot
/// before three digits is ambiguous there, an error at the cell saying both readings.
#[test]
fn a_thousands_dot_in_a_decimal_comma_file_is_an_error_at_its_cell() {
    let fx = fixture();
    write(
        &fx,
        "bonus.csv",
        b"hit: first;;\n\
          id;annual_sales;bonus\n\
          id;input;output\n\
          b-big;>= 500.000;1,5\n\
          b-rest;;0,125\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert_eq!(
        diagnostic_at(&check, "rules/bonus.csv, B4"),
        "error: `>= 500.000` is ambiguous in a file with decimal commas\n \
         --> rules/bonus.csv, B4\n  \
         |\n\
         4 | b-big | >= 500.000 | 1.5\n  \
         |         ^\n  \
         = help: write `500000` if the dot separates thousands, or `500,000` if it is a decimal point: this file writes decimals with a comma"
    );
    // Every mistake of the file at once: the ambiguous cell and a `6%` further down (it
    // took one `check` per cell), each said once.
    write(
        &fx,
        "bonus.csv",
        b"hit: first;;\n\
          id;annual_sales;bonus\n\
          id;input;output\n\
          b-big;>= 500.000;1,5\n\
          b-mid;>= 100;6%\n\
          b-rest;;0,125\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert_eq!(
        check.stdout.matches("rules/bonus.csv, B4").count(),
        1,
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("--> rules/bonus.csv, C5"),
        "{}",
        check.stdout
    );
    // A column that declares its values holds them as texts: no number is read there.
    write(
        &fx,
        "bonus.csv",
        b"hit: first;;\nid;annual_sales;code\nid;input;\"output; values: 1.100, 2.300\"\nb-big;>= 400;1.100\nb-rest;;2.300\n",
    );
    fx.run(&["check"]).assert_code(0);
    // Written without the dot, it decides; `0,125` and `1,5` are decimals.
    write(
        &fx,
        "bonus.csv",
        b"hit: first;;\nid;annual_sales;bonus\nid;input;output\nb-big;>= 400;1,5\nb-rest;;0,125\n",
    );
    fx.run_ok(&[]);
    let bonus = column(&fx.latest(), "bonus");
    assert_eq!(
        bonus,
        expect(&[
            ("C1", real(0.125)),
            ("C2", real(1.5)),
            ("C3", real(0.125)),
            ("C4", real(0.125))
        ])
    );
}

/// A rate sheet typed as Excel shows it, `%` on every rate: the column read as text (every
/// row agreeing), `check` clean, and the customers got the characters `1,1%`. Each such
/// cell is a warning at the cell with the number to write.
#[test]
fn a_rate_column_of_percentages_is_a_warning_at_each_cell() {
    let fx = fixture();
    write(
        &fx,
        "commission.csv",
        b"hit: first;;\nid;annual_sales;commission_pct\nid;input;output\n\
          c-big;>= 400;1,1%\nc-rest;;3%\n",
    );
    let check = fx.run(&["check"]);
    assert_eq!(
        diagnostic_at(&check, "rules/commission.csv, C4"),
        "warning: row `c-big` gives `commission_pct` the text \"1,1%\", not a number: every customer it matches gets these characters (in `c-big`)\n \
         --> rules/commission.csv, C4\n  \
         |\n\
         4 | c-big | >= 400 | 1,1%\n  \
         |                  ^^^^\n  \
         = help: write 1.1 for 1,1%: a percentage is a number here; to keep the text, declare the texts in the output's kinds cell (`output; values: ...`)"
    );
    assert!(
        check.stdout.contains("--> rules/commission.csv, C5"),
        "{}",
        check.stdout
    );
}

/// A rate typed `2.50%` in a workbook, as Excel shows a cell formatted as a percentage,
/// among rates typed 1.5: Excel stores 0.025, the table read it, and every customer of the
/// row was paid a hundredth of the rate with `check` clean. An error at the cell.
#[test]
fn a_number_formatted_as_a_percentage_is_an_error_at_its_cell() {
    let fx = fixture();
    let sheet: &[&[&str]] = &[
        &["hit: first", "", ""],
        &["id", "annual_sales", "commission_pct"],
        &["id", "input", "output"],
        &["c-big", ">= 400", "2.50%"],
        &["c-rest", "", "1.5"],
    ];
    write(&fx, "commission.xlsx", &workbook(&[("commission", sheet)]));
    let check = fx.run(&["check"]);
    check.assert_code(2);
    let d = diagnostic_at(&check, "rules/commission.xlsx, sheet commission, C4");
    assert!(
        d.starts_with("error: C4 is formatted as a percentage, unlike the column's other numbers: Excel shows 2.5% and stores 0.025, which is what the rules read"),
        "{d}"
    );
    assert!(
        d.contains("= help: format the cell as the column's other numbers (Home, Number Format: General) and type what the rules should read: 2.5 for 2.5 percent as the other rates are written, or 0.025 for the share"),
        "{d}"
    );
    // The plain number beside it is no error.
    assert!(!check.stdout.contains(", C5"), "{}", check.stdout);
    // A column of shares all shown as percentages reads as the shares they are.
    let shares: &[&[&str]] = &[
        &["hit: first", "", ""],
        &["id", "annual_sales", "commission_pct"],
        &["id", "input", "output"],
        &["c-big", ">= 400", "25%"],
        &["c-rest", "", "5%"],
    ];
    write(&fx, "commission.xlsx", &workbook(&[("commission", shares)]));
    fx.run(&["check"]).assert_code(0);
}

#[test]
fn a_workbook_table_decides_with_its_formulas_saved_values_and_defaults() {
    let fx = fixture();
    write(
        &fx,
        "pricing.xlsx",
        &workbook(&[("#notes", &[&["notes"]]), ("tiers", TIERS)]),
    );
    let run = fx.run(&["check"]);
    run.assert_code(0);
    let d = diagnostic_at(&run, "rules/pricing.xlsx, sheet tiers, D5");
    assert!(
        d.starts_with("warning: D5 holds a formula: its saved value 0.05 is used"),
        "{d}"
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(
        column(&p, "tier"),
        expect(&[
            ("C1", text("silver")),
            ("C2", text("gold")),
            ("C3", text("bronze")),
            ("C4", text("bronze")),
        ])
    );
    assert_eq!(
        column(&p, "discount"),
        expect(&[
            ("C1", real(0.05)),
            ("C2", real(0.15)),
            ("C3", null()),
            ("C4", null())
        ])
    );
}

#[test]
fn an_unknown_name_in_a_cell_is_shown_at_the_cell() {
    let fx = fixture();
    let mut rows = TIERS.to_vec();
    rows.push(&["t-none", "< 0", "bronze", "0"]);
    rows.push(&["t-bad", ">= 1", "= anual_sales * 2", "0"]);
    write(&fx, "pricing.xlsx", &workbook(&[("tiers", &rows)]));
    let run = fx.run(&["check"]);
    run.assert_code(2);
    let d = diagnostic_at(&run, "rules/pricing.xlsx, sheet tiers, C7");
    assert!(d.contains("unknown name `anual_sales`"), "{d}");
    assert!(
        d.contains("7 | t-bad | >= 1 | = anual_sales * 2 | 0"),
        "{d}"
    );
}

#[test]
fn watch_reloads_a_saved_workbook() {
    let fx = fixture();
    write(&fx, "pricing.xlsx", &workbook(&[("tiers", TIERS)]));
    let mut w = Spawned::start(
        fx.dir.path(),
        &["--config", "config.yaml", "watch", "--debounce-ms", "150"],
    );
    w.wait_for("in force");
    let mut rows = TIERS.to_vec();
    rows[3] = &["t-gold", ">= 40", "gold", "0.15"];
    // As Excel saves: a temporary file renamed over the workbook, and its lock file beside it.
    write(&fx, "~$pricing.xlsx", b"\x0bEXCEL-LOCK");
    let tmp = fx.path("rules").join("8A3B2C10");
    std::fs::write(&tmp, workbook(&[("tiers", &rows)])).unwrap();
    std::fs::rename(&tmp, fx.path("rules").join("pricing.xlsx")).unwrap();
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier changed for 1 customer "), "{out}");
}

/// A rule id used in a CSV table and again in a YAML file: the first place is the CSV's
/// cell, not a line of the text the table is read into (`discount.csv:11:7` pointed past
/// the file's end).
#[test]
fn a_rule_id_used_twice_names_the_spreadsheet_cell_it_was_first_at() {
    let fx = fixture();
    write(
        &fx,
        "discount.csv",
        b"hit: first,doc: Discount by sales,\n\
          id,annual_sales,discount\n\
          id,input,output\n\
          d-big,>= 100,10\n\
          d-rest,,0\n",
    );
    fx.rule(
        "visits.yaml",
        "decisions:\n  - name: visits\n    output: visits\n    rules:\n      - { id: d-big, value: 4 }\n",
    );
    let run = fx.run(&["check"]);
    run.assert_code(2);
    let d = diagnostic_at(&run, "rules/visits.yaml:5:15");
    assert!(
        d.starts_with("error: rule id `d-big` is used twice (first at rules/discount.csv, A4)"),
        "{d}"
    );
}

/// `VISITS.CSV` and `Extra.YAML` (an extension in capitals, as Windows tools save them)
/// were skipped without a word, their decisions out of the run, and `tests/T.YAML` never
/// ran: an extension is the same in any case.
#[test]
fn rule_and_test_files_with_extensions_in_capitals_load() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 1500.0]);
    fx.rule(
        "VISITS.CSV",
        "hit: first,,\nid,annual_sales,visits\nid,input,output\nv-big,>= 1000,4\nv-small,,1\n",
    );
    fx.rule(
        "Extra.YAML",
        "decisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }\n      - { id: tier-c, then: { tier: C } }\n",
    );
    std::fs::create_dir_all(fx.path("rules/tests")).unwrap();
    std::fs::write(
        fx.path("rules/tests/T.YAML"),
        "cases:\n  - name: a big customer gets 4 visits\n    customer: { annual_sales: 2000 }\n    expect: { visits: 4, tier: C }\n",
    )
    .unwrap();
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "visits"), expect(&[("1", 1), ("2", 4)]));
    assert_eq!(column(&latest, "tier"), expect(&[("1", "C"), ("2", "A")]));
    // The case expects the wrong tier: it runs, and fails.
    let test = fx.run(&["test"]);
    test.assert_code(1);
    assert!(
        test.stdout
            .contains("FAIL T.YAML: a big customer gets 4 visits"),
        "{}",
        test.stdout
    );
}

/// `20.000` or `>= 200.000` typed in a cell (a German admin's thousands dot) read as 20 and
/// 200 with no word, where the same in a YAML file is a warning: 6,237 customers made tier
/// B and 5,135 given a credit limit of 20. A warning at the cell.
#[test]
fn a_thousands_dot_in_a_cell_is_a_warning_at_the_cell() {
    let fx = fixture();
    write(
        &fx,
        "credit.csv",
        b"hit: first,,\nid,annual_sales,credit_limit\nid,input,output\nc-b,>= 200.000,50000\nc-c,,20.000\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let threshold = diagnostic_at(&check, "rules/credit.csv, B4");
    assert!(
        threshold.starts_with(
            "warning: `200.000` reads as 200 (the dot is the decimal point), not as 200,000"
        ),
        "{threshold}"
    );
    let limit = diagnostic_at(&check, "rules/credit.csv, C5");
    assert!(
        limit.starts_with(
            "warning: `20.000` reads as 20 (the dot is the decimal point), not as 20,000"
        ),
        "{limit}"
    );
}

/// A "Summe" row under a `collect` sheet (`=SUM(D4:D6)`, as on every sheet an admin keeps)
/// was a rule that matched everyone: its total added to every customer's fee (8,000 of
/// 8,000 wrong). An error at the cell.
#[test]
fn a_totals_row_in_a_sheet_is_an_error_at_its_cell() {
    let fx = fixture();
    let fees: &[&[&str]] = &[
        &["hit: collect", "aggregate: sum"],
        &["id", "channel", "delivery_fee"],
        &["id", "input", "output"],
        &["f-ka", "KA", "20"],
        &["f-bc", "BC", "30"],
        &["f-all", "", "9.9"],
        &[],
        &["Summe", "", "=SUM(C4:C6) -> 59.9"],
    ];
    write(&fx, "fees.xlsx", &workbook(&[("fees", fees)]));
    let check = fx.run(&["check"]);
    check.assert_code(2);
    let d = diagnostic_at(&check, "rules/fees.xlsx, sheet fees, C8");
    assert!(
        d.starts_with(
            "error: C8 holds `=SUM(C4:C6)`, a total of the rows above: a totals row is no rule"
        ),
        "{d}"
    );
}

/// A macro workbook (`credit.xlsm`) in the rules folder was left out without a word: three
/// decisions missing from the run, `check` clean. A warning naming it.
#[test]
fn a_macro_workbook_is_named_as_not_read() {
    let fx = fixture();
    write(&fx, "credit.xlsm", &workbook(&[("tiers", TIERS)]));
    let check = fx.run(&["check"]);
    assert!(
        check.stdout.contains("warning: skipped: a .xlsm workbook is not read (rule tables are .xlsx, .ods or .csv)\n --> rules/credit.xlsm"),
        "{}",
        check.stdout
    );
}

/// A title row typed above a table (`Kreditlimits 2026` in A1, `hit: first` in A2) left the
/// whole decision out with a warning among many, exit 0: no credit limit for anyone, and
/// `run --strict` wrote it. An error at the cell that says `hit:`.
#[test]
fn a_title_row_above_a_table_is_an_error() {
    let fx = fixture();
    let mut rows: Vec<&[&str]> = vec![&["Kreditlimits 2026 (freigegeben 28.11.)"]];
    rows.extend(TIERS.iter().copied());
    write(&fx, "pricing.xlsx", &workbook(&[("tiers", &rows)]));
    let check = fx.run(&["check"]);
    check.assert_code(2);
    let d = diagnostic_at(&check, "rules/pricing.xlsx, sheet tiers, A2");
    assert!(
        d.starts_with("error: sheet tiers's table starts at A2: a table's `hit:` is in A1, so the sheet would be left out"),
        "{d}"
    );
}

/// Tier A's threshold cell linked to a parameters sheet (`=params!B2`, saved 500000) under
/// the header `annual_sales ?? 0` is an equality test: the largest customers fell to B and
/// `check --data` said every row matched. One number and the `?? 0` header are warned too.
#[test]
fn a_linked_threshold_cell_under_a_defaulted_header_is_said_on_the_data() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = (0..40)
        .map(|i| vec![text(&format!("K{i:02}")), real(25_345.67 * i as f64 + 0.5)])
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, annual_sales REAL", &rows);
    let tiers: &[&[&str]] = &[
        &["hit: first"],
        &["id", "annual_sales ?? 0", "tier"],
        &["id", "input", "output"],
        &["t-a", "=params!B2 -> 500000", "A"],
        &["t-b", ">= 200000", "B"],
        &["t-c", "", "C"],
    ];
    write(&fx, "tiers.xlsx", &workbook(&[("tiers", tiers)]));
    let check = fx.run(&["check", "--data"]);
    assert!(
        check.stdout.contains("warning: `annual_sales` holds amounts with decimals, and is tested for being equal to 1 number (500000): only 0 of 40 customers hold one of them exactly, and the others match none of these tests (in `t-a`)\n --> rules/tiers.xlsx, sheet tiers, B4"),
        "{}",
        check.stdout
    );
}

/// A row hidden in Excel (to "switch off" a rule, or under a filter) and a hidden sheet were
/// live rules without a word: they still are (what the file holds runs), with a warning at
/// the first hidden rule and at the hidden sheet.
#[test]
fn hidden_rows_and_sheets_are_live_rules_with_a_warning() {
    let fx = fixture();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("tiers").unwrap();
    for (r, cells) in TIERS.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            workbook::write_cell(sheet, r as u32, c as u16, text);
        }
    }
    sheet.set_row_hidden(3).unwrap(); // t-gold
    let old = book.add_worksheet();
    old.set_name("old_bonus").unwrap();
    let bonus: &[&[&str]] = &[
        &["hit: first"],
        &["id", "channel", "bonus"],
        &["id", "input", "output"],
        &["b-ka", "\"KA\"", "2"],
    ];
    for (r, cells) in bonus.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            workbook::write_cell(old, r as u32, c as u16, text);
        }
    }
    old.set_hidden(true);
    write(&fx, "pricing.xlsx", &book.save_to_buffer().unwrap());
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let d = diagnostic_at(&check, "rules/pricing.xlsx, sheet tiers, A4");
    assert!(
        d.starts_with("warning: row 4 of sheet tiers is hidden, and its rule is live: hiding a row does not switch its rule off\n")
            && d.contains("= help: delete a rule's row to remove it, or unhide the rows; a filter hides rows too"),
        "{d}"
    );
    assert!(
        check.stdout.contains("warning: sheet old_bonus is hidden in the workbook, and its table is live: its rules apply as any sheet's do"),
        "{}",
        check.stdout
    );
    // Live: C2's 500 is gold by the hidden row, and KA customers get the hidden sheet's bonus.
    let run = fx.run_ok(&[]);
    assert!(
        run.stderr.contains("row 4 of sheet tiers is hidden")
            && run.stderr.contains("sheet old_bonus is hidden"),
        "{}",
        run.stderr
    );
    let p = fx.latest();
    assert_eq!(column(&p, "tier")["C2"], text("gold"));
    assert_eq!(column(&p, "bonus")["C1"], int(2));
}

/// A review date typed the local way in an output cell (`06.01.2026`, `31/12/2025`) was a
/// text output without a word (it sorts as text, and compares with no date): a warning at
/// the cell with the ISO form to write, both readings where the text alone does not tell.
#[test]
fn a_date_written_the_local_way_in_an_output_cell_is_a_warning() {
    let fx = fixture();
    write(
        &fx,
        "review.csv",
        b"hit: first\n\
          id,annual_sales,review_by\n\
          id,input,output\n\
          r-big,>= 100,31/12/2025\n\
          r-rest,,06.01.2026\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let big = diagnostic_at(&check, "rules/review.csv, C4");
    assert!(
        big.starts_with("warning: `31/12/2025` is text, not a date (in `r-big`)")
            && big.contains("= help: a date is written 2025-12-31, which the rules read as a date"),
        "{big}"
    );
    let rest = diagnostic_at(&check, "rules/review.csv, C5");
    assert!(
        rest.contains(
            "= help: a date is written 2026-01-06 (day first) or 2026-06-01 (month first), which"
        ),
        "{rest}"
    );
}
