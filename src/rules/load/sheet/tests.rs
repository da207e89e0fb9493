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
