//! A decision's declared outputs (`outputs:`): each output's `values:` (what `priority` and
//! `output_order` rank by, and what its rows may give) and its `default:` (its value when no
//! row matches). With `outputs:`, the decision's outputs are exactly those, in that order:
//! `output:` names one of them and every `then:` key is one of them.

use super::compile::Cx;
use super::grid::same;
use crate::diag::SourceFile;
use crate::rules::model::DecisionSpec;
use crate::rules::{Slot, ValueExpr};
use crate::value::{Lit, Literal};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// The declared outputs, compiled.
#[derive(Default)]
pub(super) struct Declared {
    /// Each output's declared values, by index into the decision's outputs (empty: any).
    pub values: Vec<Vec<Lit>>,
    /// Each output's default, by index into the decision's outputs.
    pub defaults: Vec<Option<ValueExpr>>,
    /// The index into the decision's outputs of each entry of `outputs:`.
    pub index: Vec<usize>,
}

/// Compiles `outputs:` of decision `d` against its output slots; `None` when something is
/// wrong (reported).
pub(super) fn compile(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    d: &DecisionSpec,
    outputs: &[Slot],
) -> Option<Declared> {
    let name = &d.name.value;
    let mut declared = Declared {
        values: vec![Vec::new(); outputs.len()],
        defaults: vec![None; outputs.len()],
        index: Vec::new(),
    };
    if d.outputs.is_empty() {
        return Some(declared);
    }
    let mut ok = true;
    for (k, spec) in d.outputs.iter().enumerate() {
        let o = &spec.value;
        let at = (
            spec.referenced.line() as usize,
            spec.referenced.column() as usize,
        );
        if d.outputs[..k].iter().any(|p| p.value.name == o.name) {
            cx.error(
                file,
                at.0,
                at.1,
                format!("output `{}` is declared twice in `outputs:`", o.name),
            )
            .rule = Some(name.clone());
            ok = false;
            continue;
        }
        // An output that could not be declared was reported then.
        let Some(i) = cx
            .symbols
            .slot(&o.name)
            .and_then(|s| outputs.iter().position(|&x| x == s))
        else {
            ok = false;
            continue;
        };
        declared.index.push(i);
        let values = values(cx, file, name, &o.values);
        ok &= values.is_some();
        declared.values[i] = values.unwrap_or_default();
        if let Some(default) = &o.default {
            let v = cx.value(file, default, name);
            ok &= v.is_some();
            if let Some(ValueExpr::Const(lit)) = &v {
                ok &= allowed(cx, file, &declared.values[i], &o.name, lit, default, name);
            }
            declared.defaults[i] = v;
        }
    }
    ok &= rows_give_declared_outputs(cx, file, d, &declared, outputs);
    ok.then_some(declared)
}

/// `values:`: constants, each once.
fn values(
    cx: &mut Cx,
    file: &SourceFile,
    owner: &str,
    written: &[Spanned<Literal>],
) -> Option<Vec<Lit>> {
    let mut out: Vec<Lit> = Vec::new();
    let mut ok = true;
    for v in written {
        let problem = match &v.value {
            Literal::Text(t) if t.trim_start().starts_with('=') => {
                Some("`values:` are constants, not formulas".to_owned())
            }
            Literal::List(_) | Literal::Null => {
                Some("`values:` are single values: text, numbers or true/false".to_owned())
            }
            lit => {
                let lit = Lit::from(lit);
                if out.iter().any(|o| same(o, &lit)) {
                    Some(format!("`{}` is listed twice in `values:`", lit.value()))
                } else {
                    out.push(lit);
                    None
                }
            }
        };
        if let Some(message) = problem {
            let at = &v.referenced;
            cx.error_at(file, at, message).rule = Some(owner.to_owned());
            ok = false;
        }
    }
    ok.then_some(out)
}

/// Whether constant `lit` written at `at` is one of `values` (any, when there are none);
/// reported when not.
fn allowed<T>(
    cx: &mut Cx,
    file: &SourceFile,
    values: &[Lit],
    output: &str,
    lit: &Lit,
    at: &Spanned<T>,
    owner: &str,
) -> bool {
    if values.is_empty() || matches!(lit, Lit::Null) || values.iter().any(|v| same(v, lit)) {
        return true;
    }
    let shown: Vec<String> = values.iter().map(|v| v.value().to_string()).collect();
    let loc = &at.referenced;
    cx.error_at(
        file,
        loc,
        format!(
            "`{}` is not one of the values of output `{output}`: {}",
            lit.value(),
            shown.join(", ")
        ),
    )
    .rule = Some(owner.to_owned());
    false
}

/// With `outputs:`, `output:` and the keys of `then:` name declared outputs, and their
/// constants are among the output's `values:`.
fn rows_give_declared_outputs(
    cx: &mut Cx,
    file: &SourceFile,
    d: &DecisionSpec,
    declared: &Declared,
    outputs: &[Slot],
) -> bool {
    let names: Vec<&str> = d.outputs.iter().map(|o| o.value.name.as_str()).collect();
    let index_of = |cx: &Cx, name: &str| {
        names.contains(&name).then_some(())?;
        let slot = cx.symbols.slot(name)?;
        outputs.iter().position(|&s| s == slot)
    };
    let mut ok = true;
    let single = d.output.as_ref().map(|o| (o, index_of(cx, &o.value)));
    // A declared name without its output is another decision's (a duplicate, reported).
    if let Some((o, None)) = &single {
        ok = false;
        if !names.contains(&o.value.as_str()) {
            let at = &o.referenced;
            cx.error_at(
                file,
                at,
                format!(
                    "`output: {}` is not one of the outputs declared in `outputs:` ({})",
                    o.value,
                    names.join(", ")
                ),
            )
            .rule = Some(d.name.value.clone());
        }
    }
    for row in &d.rules {
        let r = &row.value;
        let given: Vec<(&str, &Spanned<Literal>)> = match (&r.value, &r.then, &single) {
            (Some(v), _, Some((o, Some(_)))) => vec![(o.value.as_str(), v)],
            (_, Some(then), _) => then.0.iter().map(|(n, v)| (n.as_str(), v)).collect(),
            _ => Vec::new(),
        };
        for (name, v) in given {
            let Some(i) = index_of(cx, name) else {
                if names.contains(&name) {
                    ok = false;
                    continue;
                }
                let at = &v.referenced;
                cx.error_at(file, at,
                    format!(
                        "row `{}` gives `{name}`, which is not one of the outputs declared in `outputs:` ({})",
                        r.id.value,
                        names.join(", ")
                    ),
                )
                .rule = Some(r.id.value.clone());
                ok = false;
                continue;
            };
            let is_formula =
                matches!(&v.value, Literal::Text(t) if t.trim_start().starts_with('='));
            if !is_formula {
                let lit = Lit::from(&v.value);
                ok &= allowed(cx, file, &declared.values[i], name, &lit, v, &r.id.value);
            }
        }
    }
    ok
}
