//! What an expression's AST uses, read node by node: the names, the calls of functions, the
//! comparisons with a constant (`==`, orderings, the items of `in [...]` and, from the
//! text, the cases of a `switch`), the operations the kind checks look at, history reads
//! (`previous.tier`) and `date("...")` constants. [`super::expr`] resolves and checks them.

use super::history::Past;
use super::operations::{DATE_CALLS, IN_ITEM};
use super::types::How;
use crate::time::Date;
use rhai::{ASTNode, Position};

/// What an expression's AST uses: names, calls of functions, comparisons with a constant.
#[derive(Default)]
pub(super) struct Uses {
    pub names: Vec<(String, Position)>,
    pub calls: Vec<(String, usize, Position)>,
    /// Calls written as methods (`x.round(2)`), with the object counted as an argument.
    pub method_calls: Vec<(String, usize, Position)>,
    /// Each call's function and, per argument, its name when it is a plain name.
    pub call_args: Vec<(String, Vec<Option<String>>)>,
    /// (name, constant, how they meet, position of the operator, case or list item)
    pub compared: Vec<(String, rhai::Dynamic, How, Position)>,
    /// `date("...")` of a text that is not a date, and where.
    pub bad_dates: Vec<(String, Position)>,
    /// `previous.tier`, `held.tier`: (what, variable, output, where).
    pub history: Vec<(Past, String, String, Position)>,
    /// A method called on an earlier period's value (`previous.alerts.len()`): where the
    /// variable is, and the call written as a function (`len(previous.alerts)`).
    pub history_methods: Vec<(Position, String)>,
    /// Names where a text would make sense: compared with `==`/`!=`, items of a list.
    pub text_like: Vec<Position>,
    /// Comparisons and arithmetic but `+`, switch cases and `in` items.
    pub operations: Vec<RawOperation>,
}

/// `a <op> b` as written.
pub(super) struct RawOperation {
    pub op: String,
    pub operands: [Raw; 2],
    /// Where the operator is (a switch case's or a list item's value).
    pub pos: Position,
    /// For an item of `name in [...]`: where its list's `in` is (one error per list).
    pub list: Option<Position>,
}

impl RawOperation {
    fn new(op: &str, operands: [Raw; 2], pos: Position) -> Self {
        RawOperation {
            op: op.into(),
            operands,
            pos,
            list: None,
        }
    }
}

impl Uses {
    /// Each case of `switch name { value => ... }` in `text` counts as `name == value`
    /// (`case` for a value matched exactly, which the data's numbers are checked against).
    fn add_switch_cases(&mut self, text: &str) {
        for c in super::switch_cases::switch_cases(text) {
            let raw = [Raw::Name(c.name.clone()), Raw::Const(c.value.clone())];
            self.operations.push(RawOperation::new(c.op(), raw, c.pos));
            self.compared.push((c.name, c.value, How::Case, c.pos));
        }
    }
}

/// An operand as written: a name, a constant or something else.
pub(super) enum Raw {
    Name(String),
    Const(rhai::Dynamic),
    Other,
}

/// The names, calls and comparisons with a constant in the expression `text`, compiled to
/// `ast`.
pub(super) fn uses_of(ast: &rhai::AST, text: &str) -> Uses {
    let mut uses = Uses::default();
    // A `switch`'s case values only its text tells.
    let mut switches = false;
    // Variables that are the `previous` of a `previous.tier`: not names of their own.
    let mut history_variables: Vec<Position> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(node) = path.last() else {
            return true;
        };
        if let Some(found) = comparison(node) {
            uses.compared.push(found);
        }
        for (name, item, pos, list) in membership(node, text) {
            let raw = [Raw::Name(name.clone()), Raw::Const(item.clone())];
            uses.operations.push(RawOperation {
                list: Some(list),
                ..RawOperation::new(IN_ITEM, raw, pos)
            });
            let list = (list.line().unwrap_or(1), list.position().unwrap_or(1));
            uses.compared.push((name, item, How::Item { list }, pos));
        }
        switches |= matches!(node, ASTNode::Stmt(rhai::Stmt::Switch(..)));
        uses.operations.extend(operation(node));
        uses.text_like.extend(text_like(node));
        if let Some((past, variable, output, pos)) = history_use(node) {
            history_variables.push(pos);
            uses.history.push((past, variable, output, pos));
        }
        uses.history_methods.extend(history_method(node));
        if let ASTNode::Expr(rhai::Expr::Variable(v, _, pos)) = node {
            if !history_variables.contains(pos) {
                uses.names.push((v.1.to_string(), *pos));
            }
        } else if let Some(call) = plain_call(node) {
            uses.call_args.push((call.0.clone(), argument_names(node)));
            uses.calls.push(call);
        }
        uses.method_calls.extend(method_call(node));
        if let Some((date, pos)) = date_literal(node)
            && Date::parse(&date).is_none()
        {
            uses.bad_dates.push((date, pos));
        }
        true
    });
    if switches {
        uses.add_switch_cases(text);
    }
    uses
}

/// `previous.tier` (or `previous_2.tier`, `held.tier`) at this node: what it reads, the
/// variable, the output and the variable's position.
fn history_use(node: &ASTNode) -> Option<(Past, String, String, Position)> {
    let ASTNode::Expr(rhai::Expr::Dot(x, _, _)) = node else {
        return None;
    };
    let (rhai::Expr::Variable(v, _, pos), rhai::Expr::Property(p, _)) = (&x.lhs, &x.rhs) else {
        return None;
    };
    let variable = v.1.to_string();
    let past = Past::of_variable(&variable)?;
    Some((past, variable, p.2.to_string(), *pos))
}

/// `previous.alerts.len()` at this node (rhai reads it as a chain the history slots do not
/// take): where `previous` is, and the call as a function, `len(previous.alerts)`.
fn history_method(node: &ASTNode) -> Option<(Position, String)> {
    let ASTNode::Expr(rhai::Expr::Dot(x, _, _)) = node else {
        return None;
    };
    let (rhai::Expr::Variable(v, _, pos), rhai::Expr::Dot(chain, _, _)) = (&x.lhs, &x.rhs) else {
        return None;
    };
    let (rhai::Expr::Property(p, _), rhai::Expr::MethodCall(f, _)) = (&chain.lhs, &chain.rhs)
    else {
        return None;
    };
    Past::of_variable(v.1.as_str())?;
    let more = if f.args.is_empty() { "" } else { ", ..." };
    Some((*pos, format!("{}({}.{}{more})", f.name, v.1, p.2)))
}

/// `date("...")` with a constant text at this node: the text and the call's position.
fn date_literal(node: &ASTNode) -> Option<(String, Position)> {
    match node {
        ASTNode::Expr(rhai::Expr::FnCall(f, pos)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos))
            if f.op_token.is_none() && f.namespace.is_empty() && f.name == "date" =>
        {
            match &f.args[..] {
                [rhai::Expr::StringConstant(text, _)] => Some((text.to_string(), *pos)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `name <op> constant` (either way round) at this node: the name, the constant, how the
/// operator compares, and the operator's position.
fn comparison(node: &ASTNode) -> Option<(String, rhai::Dynamic, How, Position)> {
    let (ASTNode::Expr(rhai::Expr::FnCall(f, pos)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos))) =
        node
    else {
        return None;
    };
    if f.op_token.is_none()
        || f.args.len() != 2
        || !matches!(f.name.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=")
    {
        return None;
    }
    let how = match f.name.as_str() {
        "==" | "!=" => How::Equal,
        _ => How::Order,
    };
    match (&f.args[0], &f.args[1]) {
        (rhai::Expr::Variable(v, ..), c) | (c, rhai::Expr::Variable(v, ..)) => {
            Some((v.1.to_string(), constant_of(c)?, how, *pos))
        }
        _ => None,
    }
}

/// `name in [a, b, ...]` at this node (rhai's `contains([a, b], name)`): each constant item,
/// which the name is compared with as by `==` (an item of another kind never matches), the
/// item's place and the `in`'s.
fn membership(node: &ASTNode, text: &str) -> Vec<(String, rhai::Dynamic, Position, Position)> {
    let (ASTNode::Expr(rhai::Expr::FnCall(f, pos)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos))) =
        node
    else {
        return Vec::new();
    };
    let (true, [list, rhai::Expr::Variable(v, ..)]) = (f.name == "contains", &f.args[..]) else {
        return Vec::new();
    };
    // Each item where it is written (else at the `in`).
    let items: Vec<(rhai::Dynamic, Position)> = match list {
        rhai::Expr::Array(items, _) => items
            .iter()
            .filter_map(|x| Some((constant_of(x)?, x.start_position())))
            .collect(),
        rhai::Expr::DynamicConstant(d, open) => match d.read_lock::<rhai::Array>() {
            Some(array) => {
                let places = super::switch_cases::list_items(text, *open);
                array
                    .iter()
                    .zip(places.into_iter().chain(std::iter::repeat(*pos)))
                    .filter(|(x, _)| x.is_string() || x.is_int() || x.is_float() || x.is_bool())
                    .map(|(x, place)| (x.clone(), place))
                    .collect()
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let name = v.1.to_string();
    items
        .into_iter()
        .map(|(x, place)| (name.clone(), x, place, *pos))
        .collect()
}

/// A comparison or arithmetic at this node: the operator, its operands as written and its
/// position (`+` for a date only: with text it joins texts).
fn operation(node: &ASTNode) -> Option<RawOperation> {
    let (ASTNode::Expr(rhai::Expr::FnCall(f, pos)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos))) =
        node
    else {
        return None;
    };
    let raw = |e: &rhai::Expr| match e {
        rhai::Expr::Variable(v, ..) => Raw::Name(v.1.to_string()),
        e => constant_of(e).map_or(Raw::Other, Raw::Const),
    };
    // A date function's date arguments (`add_days(last_day, 90)`).
    if let Some(&(name, dates)) = (DATE_CALLS.iter()).find(|(n, _)| *n == f.name.as_str())
        && f.op_token.is_none()
        && !f.args.is_empty()
    {
        let arg = |k: usize| match f.args.get(k) {
            Some(e) if k < dates => raw(e),
            _ => Raw::Other,
        };
        return Some(RawOperation::new(name, [arg(0), arg(1)], *pos));
    }
    let ops = [
        "==", "!=", "<", "<=", ">", ">=", "-", "*", "/", "%", "**", "+",
    ];
    if f.op_token.is_none() || f.args.len() != 2 || !ops.contains(&f.name.as_str()) {
        return None;
    }
    let operands = [raw(&f.args[0]), raw(&f.args[1])];
    Some(RawOperation::new(&f.name, operands, *pos))
}

/// The names at this node where a text would make sense: a side of `==`/`!=` whose other
/// side is not a constant (`tier == A`; in `segment == "X"` an unknown `segment` is a name
/// that is missing, a column renamed or gone, not a text), and the items of a list (`tier in
/// [A, B]`).
fn text_like(node: &ASTNode) -> Vec<Position> {
    let operands: &[rhai::Expr] = match node {
        ASTNode::Expr(rhai::Expr::FnCall(f, _)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, _))
            if f.op_token.is_some() && matches!(f.name.as_str(), "==" | "!=") =>
        {
            if f.args.iter().any(|a| constant_of(a).is_some()) {
                return Vec::new();
            }
            &f.args
        }
        ASTNode::Expr(rhai::Expr::Array(items, _)) => items,
        _ => return Vec::new(),
    };
    operands
        .iter()
        .filter_map(|e| match e {
            rhai::Expr::Variable(_, _, pos) => Some(*pos),
            _ => None,
        })
        .collect()
}

/// A call of a function by name at this node (`name`, number of arguments, position);
/// operators and namespaced calls aside. A call at the top of an expression is a statement.
fn plain_call(node: &ASTNode) -> Option<(String, usize, Position)> {
    match node {
        ASTNode::Expr(rhai::Expr::FnCall(f, pos)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, pos))
            if f.op_token.is_none() && f.namespace.is_empty() =>
        {
            Some((f.name.to_string(), f.args.len(), *pos))
        }
        _ => None,
    }
}

/// The arguments of the call at this node that are plain names (`None` for the others).
fn argument_names(node: &ASTNode) -> Vec<Option<String>> {
    let (ASTNode::Expr(rhai::Expr::FnCall(f, _)) | ASTNode::Stmt(rhai::Stmt::FnCall(f, _))) = node
    else {
        return Vec::new();
    };
    f.args
        .iter()
        .map(|a| match a {
            rhai::Expr::Variable(v, ..) => Some(v.1.to_string()),
            _ => None,
        })
        .collect()
}

/// A call written as a method (`x.round(2)`): its name, its arguments with the object, and
/// where.
fn method_call(node: &ASTNode) -> Option<(String, usize, Position)> {
    match node {
        ASTNode::Expr(rhai::Expr::MethodCall(f, pos)) if f.namespace.is_empty() => {
            Some((f.name.to_string(), f.args.len() + 1, *pos))
        }
        _ => None,
    }
}

/// The method calls of a script, with the object counted as an argument.
pub(super) fn method_calls(ast: &rhai::AST) -> Vec<(String, usize, Position)> {
    let mut calls = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        calls.extend(path.last().and_then(method_call));
        true
    });
    calls
}

/// The keys a script gives its maps: in map literals (`#{ f: |x| x + 1 }` gives `f`), as
/// properties (`m.f = ...`) and as text indexes (`m["f"] = ...`).
pub(super) fn map_keys(ast: &rhai::AST) -> Vec<String> {
    let mut keys = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(rhai::Expr::Map(map, _))) => {
                keys.extend(map.0.iter().map(|(key, _)| key.name.to_string()));
            }
            Some(ASTNode::Expr(rhai::Expr::Property(property, _))) => {
                keys.push(property.2.to_string());
            }
            Some(ASTNode::Expr(rhai::Expr::Index(index, ..))) => {
                if let rhai::Expr::StringConstant(key, _) = &index.rhs {
                    keys.push(key.to_string());
                }
            }
            // A map of constants is folded into one value when compiled.
            Some(ASTNode::Expr(rhai::Expr::DynamicConstant(value, _))) => {
                if let Some(map) = value.read_lock::<rhai::Map>() {
                    keys.extend(map.keys().map(|key| key.to_string()));
                }
            }
            _ => {}
        }
        true
    });
    keys
}

/// The function calls of a script or expression, operators and method calls aside.
pub(super) fn plain_calls(ast: &rhai::AST) -> Vec<(String, usize, Position)> {
    let mut calls = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(call) = path.last().and_then(plain_call) {
            calls.push(call);
        }
        true
    });
    calls
}

/// The value of a constant expression node (text, number, true/false).
fn constant_of(e: &rhai::Expr) -> Option<rhai::Dynamic> {
    match e {
        rhai::Expr::FnCall(f, _) if f.name == "date" && f.namespace.is_empty() => match &f.args[..]
        {
            [rhai::Expr::StringConstant(text, _)] => Date::parse(text).map(rhai::Dynamic::from),
            _ => None,
        },
        rhai::Expr::StringConstant(s, _) => Some(s.clone().into()),
        rhai::Expr::IntegerConstant(i, _) => Some((*i).into()),
        rhai::Expr::FloatConstant(f, _) => Some((**f).into()),
        rhai::Expr::BoolConstant(b, _) => Some((*b).into()),
        _ => None,
    }
}
