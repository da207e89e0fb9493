//! The report in a real browser: headless Chromium opens the page `tierwise report` wrote
//! for the shipped rules on the bundled sample (two quarters run, so the migration has
//! something to show), with no console error and every chart drawn and not empty, and takes
//! a screenshot for a person to look at (its path is printed).
//!
//! Skipped, saying so, where no Chromium is installed (`apt-get install chromium`; `.ci/run`
//! installs it). `CHROMIUM=/path/to/chrome` picks another browser.

mod common;

use common::{copy_dir, run_in};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The charts the report draws for the shipped rules.
const CHARTS: [&str; 4] = ["tiers", "pareto", "quadrant", "flow"];

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(path.into());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Runs headless Chromium on `args` (flags that keep it off the network: see
/// engineering notes), with the profile `profile`, for at most a minute. Returns stdout and
/// stderr (through files: a page's DOM is larger than a pipe holds).
fn headless(browser: &Path, profile: &Path, args: &[&str]) -> (String, String) {
    let (out_path, err_path) = (profile.join("stdout.txt"), profile.join("stderr.txt"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 60 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    (read(&out_path), read(&err_path))
}

/// Records errors of any kind (script, resource, policy, console) and, once the page has
/// loaded, each chart's drawn size and shapes, into `<pre id="tierwise-check">`. Only the
/// test's copy of the page gets it: the report itself has no script.
const CHECK: &str = "<script>
window.__errors = [];
addEventListener('error', e => __errors.push('error: ' + (e.message || (e.target && e.target.outerHTML))), true);
addEventListener('securitypolicyviolation', e => __errors.push('blocked: ' + e.blockedURI));
const originalError = console.error;
console.error = (...a) => { __errors.push('console.error: ' + a.join(' ')); originalError(...a); };
addEventListener('load', () => {
  const out = { errors: __errors, charts: {}, ms: performance.now() };
  document.querySelectorAll('svg[data-chart]').forEach(s => {
    const box = s.getBoundingClientRect(), drawn = s.getBBox();
    out.charts[s.dataset.chart] = { width: box.width, height: box.height,
      shapes: s.querySelectorAll('path, rect, circle, line').length,
      drawn_width: drawn.width, drawn_height: drawn.height };
  });
  const pre = document.createElement('pre');
  pre.id = 'tierwise-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>";

/// The report of the shipped rules on the bundled sample as of 2026-09-30, two quarters
/// run (so the migration has something to show), written in `dir`.
fn shipped_report(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("config"), &dir.join("config"));
    copy_dir(&root.join("rules"), &dir.join("rules"));
    for as_of in ["2026-06-30", "2026-09-30"] {
        run_in(dir, &["run", "--as-of", as_of]).assert_code(0);
    }
    run_in(
        dir,
        &["report", "--as-of", "2026-09-30", "--out", "report.html"],
    )
    .assert_code(0);
    dir.join("report.html")
}

#[test]
fn the_report_renders_in_chromium_without_errors() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no Chromium installed (apt-get install chromium, or set CHROMIUM); the report was not checked in a browser"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = shipped_report(dir.path());
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains("<script"), "the report has no script");

    // The page as shipped: Chromium logs nothing from the page's console.
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", report.display());
    let (dom, log) = headless(&browser, profile.path(), &["--dump-dom", &url]);
    assert!(dom.contains("data-chart=\"pareto\""), "the page loaded");
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");

    // The test's copy with the check script (the page's policy allows inline script in it
    // only; every other resource stays blocked, and a blocked one is an error).
    let checked = html
        .replacen(
            "default-src 'none';",
            "default-src 'none'; script-src 'unsafe-inline';",
            1,
        )
        .replacen(
            "<meta charset=\"utf-8\">",
            &format!("<meta charset=\"utf-8\">{CHECK}"),
            1,
        );
    let check_page = dir.path().join("check.html");
    std::fs::write(&check_page, checked).unwrap();
    let url = format!("file://{}", check_page.display());
    let (dom, log) = headless(&browser, profile.path(), &["--dump-dom", &url]);
    let start = dom
        .find("<pre id=\"tierwise-check\">")
        .unwrap_or_else(|| panic!("the check did not run\n{log}"))
        + "<pre id=\"tierwise-check\">".len();
    let json = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let check: serde_json::Value = serde_json::from_str(&json.replace("&amp;", "&")).unwrap();
    assert_eq!(check["errors"], serde_json::json!([]), "{check:#}");
    for chart in CHARTS {
        let c = &check["charts"][chart];
        let num = |k: &str| c[k].as_f64().unwrap_or(0.0);
        assert!(
            num("width") > 100.0 && num("height") > 100.0,
            "{chart} is laid out: {c}"
        );
        assert!(
            num("shapes") >= 5.0 && num("drawn_width") > 50.0 && num("drawn_height") > 50.0,
            "{chart} has something drawn: {c}"
        );
        assert!(
            num("drawn_width") <= num("width") + 1.0,
            "{chart} is drawn inside its box: {c}"
        );
    }

    // A screenshot for a person to look at.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let url = format!("file://{}", report.display());
    headless(
        &browser,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2600",
            &url,
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "screenshot at {} ({size} bytes)",
        shot.display()
    );
    eprintln!("screenshot of the report: {}", shot.display());
}

/// The page's media boxes (width, height in points), a page each, as Chromium writes them.
fn page_sizes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.split("/MediaBox [")
        .skip(1)
        .map(|box_| {
            let n: Vec<f64> = (box_.split(']').next().unwrap().split_whitespace())
                .map(|x| x.parse().unwrap())
                .collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

/// Printed on A4, the totals of eight tiers were cut at the fourth tier (the grand totals
/// gone): a section whose table is wider than a portrait page holds prints on a landscape
/// page; the shipped rules' four tiers print portrait throughout.
#[test]
fn a_table_too_wide_for_a_portrait_page_prints_on_a_landscape_one() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: no Chromium installed; the report was not printed");
        return;
    };
    let f = common::Fixture::new();
    let sales: Vec<f64> = (1..=400).map(|i| (i * 7919 % 100_000) as f64).collect();
    f.sales_customers(&sales);
    let tiers = [
        "Strategic Key Account Platinum",
        "Key Account Gold Premium",
        "Preferred Partner Silver",
        "Regular Business Customer",
        "Developing Account Bronze",
        "Occasional Buyer Standard",
        "Dormant or Inactive Customer",
    ];
    let mut rules = String::from(
        "population:\n  rank: { percentile_of: annual_sales }\ndecisions:\n  - name: tier\n    rules:\n",
    );
    for (k, t) in tiers.iter().enumerate() {
        let when = match k {
            6 => String::new(),
            _ => format!("when: rank >= {}, ", 0.9 - 0.15 * k as f64),
        };
        rules.push_str(&format!(
            "      - {{ id: t{k}, {when}then: {{ tier: \"{t}\" }} }}\n"
        ));
    }
    let order: Vec<String> = tiers.iter().map(|t| format!("\"{t}\"")).collect();
    rules.push_str(&format!(
        "summary:\n  moves: {{ tier: [{}] }}\n  totals:\n    sales: \"= annual_sales * 1000000\"\n  report:\n    value: {{ name: sales, of: annual_sales }}\n",
        order.join(", ")
    ));
    f.rule("tiers.yaml", &rules);
    f.run(&["report", "--out", "wide.html"]).assert_code(0);
    let profile = tempfile::tempdir().unwrap();
    let print = |html: &Path| -> Vec<(f64, f64)> {
        let pdf = profile.path().join("page.pdf");
        let _ = std::fs::remove_file(&pdf);
        headless(
            &browser,
            profile.path(),
            &[
                &format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer",
                &format!("file://{}", html.display()),
            ],
        );
        page_sizes(&std::fs::read(&pdf).expect("chromium printed the page"))
    };
    let landscape = |(w, h): &(f64, f64)| w > h;
    let wide = print(&f.path("wide.html"));
    assert!(wide.iter().any(landscape), "{wide:?}");
    assert!(!wide.iter().all(landscape), "{wide:?}");

    let dir = tempfile::tempdir().unwrap();
    let shipped = print(&shipped_report(dir.path()));
    assert!(
        shipped.len() > 1 && !shipped.iter().any(landscape),
        "{shipped:?}"
    );
}
