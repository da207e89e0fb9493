//! `GET /report`: the page `tierwise report` writes, for the version in force (its rules,
//! customers and history; the previous period's tiers read from the database).

use super::state::Version;
use crate::commands::report::{Place, page_note};
use crate::engine::EvalError;
use crate::report::html::{self, Input, Meta, Previous};
use rusqlite::{Connection, OpenFlags};
use std::sync::Arc;

/// The report's HTML for version `v`, built once per version (until it succeeds).
pub(super) fn page(v: &Version) -> Result<Arc<str>, EvalError> {
    if let Some(page) = v.report.get() {
        return Ok(page.clone());
    }
    let page: Arc<str> = build(v)?.into();
    Ok(v.report.get_or_init(|| page).clone())
}

fn build(v: &Version) -> Result<String, EvalError> {
    let rules = v.rules();
    let conn = Connection::open_with_flags(&v.database, OpenFlags::SQLITE_OPEN_READ_ONLY);
    let previous = match (html::tier_output(rules), &conn) {
        (Some(tiers), Ok(conn)) => Previous::read(conn, &v.tables, &v.context, &tiers),
        (Some(_), Err(e)) => {
            Previous::Unreadable(format!("cannot open {}: {e}", v.database.display()))
        }
        (None, _) => Previous::NotAsked,
    };
    let input = Input {
        rules,
        customers: v.customers(),
        history: v.history(),
        context: v.context,
        previous,
        // As the service answers the customers that evaluate: the page says who it left out.
        keep_going: true,
    };
    let mut meta = Meta::new(
        rules,
        &v.context,
        &v.rules_dir,
        &v.database,
        v.currency.as_deref(),
    );
    let figures = html::gather(&input)?;
    // As `tierwise report` says it: rules saved since the run, data changed since, no run.
    let place = Place {
        tables: &v.tables,
        context: v.context,
        currency: v.currency.as_deref(),
        customers: v.customers(),
    };
    meta.note = match conn.map(|conn| page_note(&place, &conn, rules, &figures)) {
        Ok(Ok(note)) => note,
        Ok(Err(e)) => Some(format!(
            "the page cannot be compared with the recorded run: {e}"
        )),
        Err(e) => Some(format!("cannot open {}: {e}", v.database.display())),
    };
    // What a run would note on these customers and their history, as `tierwise report`.
    let warnings = crate::workspace::batch::data_warnings(rules, v.customers(), &v.database);
    meta.data_notes = v.history_notes.clone();
    meta.data_notes
        .extend(warnings.iter().map(|w| w.note_line()));
    Ok(html::render(&html::Page {
        meta,
        figures,
        diff: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::api::router;
    use super::super::state::Service;
    use super::super::tests::{project, version};
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use std::sync::Arc;
    use tower::ServiceExt;

    const RULES: &str = "population:\n  sales_rank: { percentile_of: annual_sales }\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: sales_rank >= 0.8, then: { tier: A } }\n      - { id: c, then: { tier: C } }\nsummary:\n  moves: { tier: [A, B, C] }\n  report:\n    value: { name: sales, of: annual_sales }\n";

    /// The rules above over ten customers with sales 1,000 to 10,000.
    fn ten_customers() -> tempfile::TempDir {
        let rows: Vec<String> = (1..=10).map(|i| format!("({i}, {i}000.0)")).collect();
        project(
            &[("tiers.yaml", RULES)],
            &format!(
                "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, annual_sales REAL);
                 INSERT INTO customers VALUES {};",
                rows.join(", ")
            ),
        )
    }

    #[tokio::test]
    async fn the_report_of_the_version_in_force_is_one_html_page() {
        let dir = ten_customers();
        let v = version(dir.path(), 1);
        let fingerprint = v.rules().fingerprint.clone();
        let service = Arc::new(Service::new(v));
        let app = router(service.clone(), &super::super::Limits::default());
        let request = Request::get("/report").body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&fingerprint));
        // 2 of 10 customers are A, with 19,000 of 55,000 in sales; B (in the order) has none.
        let a = "<th scope=\"row\"><span class=\"swatch\" style=\"background:#1f4e79\"></span><bdi>A</bdi></th><td class=\"num\">2</td><td class=\"num\">20.0%</td><td class=\"num\">19,000</td><td class=\"num\">34.5%</td>";
        assert!(html.contains(a), "{html}");
        assert!(html.contains("</span><bdi>B</bdi></th><td class=\"num\">0</td>"));
        assert!(html.contains("data-chart=\"pareto\""));
        assert!(
            html.contains("No run of"),
            "no earlier period in this database"
        );
        // As `tierwise report` says it: the page is no recorded run's policy.
        assert!(html.contains("has no recorded run: this page is what the rules give as of"));
        assert!(!html.contains("Warnings on the data"));

        // Built once per version: the next request is answered from the same page.
        let cached = service.current().report.get().cloned().expect("kept");
        assert_eq!(&*cached, html);
        let request = Request::get("/report").body(Body::empty()).unwrap();
        let again = app.oneshot(request).await.unwrap();
        let body = axum::body::to_bytes(again.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(body, html.as_bytes());
    }

    /// What a run warns about on the version's customers is on the served page, as on
    /// `tierwise report`'s: a share compared with a percentage.
    #[tokio::test]
    async fn the_served_report_carries_the_warnings_on_the_data() {
        let rules = RULES.replace("sales_rank >= 0.8", "loyalty >= 80");
        let dir = project(
            &[("tiers.yaml", &rules)],
            "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, annual_sales REAL, loyalty REAL);
             INSERT INTO customers VALUES (1, 10.0, 0.25), (2, 20.0, 0.5), (3, 30.0, 0.9);",
        );
        let html = super::page(&version(dir.path(), 1)).unwrap();
        assert!(
            html.contains("<strong>Warnings on the data</strong>"),
            "{html}"
        );
        assert!(
            html.contains("`loyalty` holds shares in the data (0.25 to 0.9)"),
            "{html}"
        );
    }

    /// A customer a rule fails for does not take the page down: it is left out, and said.
    #[tokio::test]
    async fn the_served_report_leaves_out_a_customer_a_rule_fails_for() {
        let rules = RULES.replace(
            "      - { id: c, then: { tier: C } }",
            "      - { id: odd, when: annual_sales == 3000, then: { tier: '= parse_float(`x`)' } }\n      - { id: c, then: { tier: C } }",
        );
        let rows: Vec<String> = (1..=10).map(|i| format!("({i}, {i}000.0)")).collect();
        let dir = project(
            &[("tiers.yaml", &rules)],
            &format!(
                "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, annual_sales REAL);
                 INSERT INTO customers VALUES {};",
                rows.join(", ")
            ),
        );
        let html = super::page(&version(dir.path(), 1)).unwrap();
        assert!(
            html.contains("<p class=\"missing\">1 customer left out: its evaluation failed, so the page counts it nowhere (not even as gone: it is in the data; the migration&#39;s rows lack it); the first: customer 3: rule `odd` failed:"),
            "{html}"
        );
        assert!(html.contains("<p>9 customers evaluated as of"), "{html}");
    }

    /// Reports asked for at once, with room for two evaluations: one builds the page, the
    /// others wait for it (not 503), and a policy request still finds a place meanwhile.
    #[tokio::test]
    async fn reports_asked_for_at_once_are_built_once_and_leave_room_for_policies() {
        let dir = ten_customers();
        let service = Arc::new(Service::new(version(dir.path(), 1)));
        let limits = super::super::Limits {
            max_evaluations: 2,
            ..Default::default()
        };
        let app = router(service, &limits);
        let get = |path: &str| {
            let request = Request::get(path).body(Body::empty()).unwrap();
            app.clone().oneshot(request)
        };
        let mut asked: Vec<_> = (0..8).map(|_| get("/report")).collect();
        asked.push(get("/customers/3/policy"));
        let statuses: Vec<StatusCode> = futures_join(asked).await;
        assert_eq!(statuses, [StatusCode::OK; 9]);
    }

    /// Awaits every response together (polled in turn, as concurrent requests are).
    async fn futures_join<F>(futures: Vec<F>) -> Vec<StatusCode>
    where
        F: std::future::Future<Output = Result<axum::response::Response, std::convert::Infallible>>
            + Send
            + 'static,
    {
        let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap().unwrap().status());
        }
        out
    }
}
