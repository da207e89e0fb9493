//! The native fast path: most rule expressions (comparisons, boolean logic, arithmetic on
//! fields, `??`, `in` lists, `if`, a few standard functions, and calls of `rules/*.rhai`
//! functions built from those) are compiled from rhai's own parsed AST into a small tree that
//! evaluates without the interpreter.
//!
//! Correctness by construction: the fast path handles only the value combinations whose
//! rhai result it reproduces exactly. For anything else (an error to raise, an integer
//! overflow, a type it does not know) it returns [`Fallback`] and the caller evaluates the
//! same expression with rhai. Expressions have no side effects, so running them twice is safe.
//! A differential test over generated customers checks both paths agree.

use super::Slot;
use crate::time::Date;
use crate::value::{Lit, Value};
use rhai::{AST, Expr, ImmutableString, Stmt};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    IsNull,
    Min,
    Max,
    Abs,
    Floor,
    Ceiling,
    Round,
    /// `date(text)` of a text that is not a constant (constants are dates at load time).
    Date,
    DaysBetween,
    MonthsBetween,
    AddDays,
    AddMonths,
    Year,
    Month,
    Quarter,
}

#[derive(Debug, Clone)]
pub enum Node {
    Const(Lit),
    /// A value of the customer's frame (field, metric, population figure, output).
    Slot(Slot),
    /// A parameter or `let` variable of an inlined script function.
    Local(u16),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Coalesce(Box<[Node]>),
    Cmp(Cmp, Box<(Node, Node)>),
    /// `slot <op> constant`, the most common condition: no operand copies.
    CmpSlot(Cmp, Slot, Lit),
    Arith(Arith, Box<(Node, Node)>),
    In(Box<Node>, Box<[Lit]>),
    If(Box<(Node, Node, Node)>),
    Call(Builtin, Box<[Node]>),
    /// `let` bindings (local, value), then the block's value.
    Block(Box<[(u16, Node)]>, Box<Node>),
}

/// What the fast path computes with: plain values, copied freely (no reference counts, no
/// drop glue). Text borrows from the data or the rule set. Anything else is the
/// interpreter's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Date(Date),
}

impl<'a> Scalar<'a> {
    #[inline]
    fn of(v: &Value<'a>) -> Result<Scalar<'a>, Fallback> {
        Ok(match v {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(f) => Scalar::Float(*f),
            Value::Str(s) => Scalar::Str(s),
            Value::Date(d) => Scalar::Date(*d),
            _ => return Err(Fallback),
        })
    }

    #[inline]
    pub fn into_value(self) -> Value<'a> {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Str(s) => Value::Str(s),
            Scalar::Date(d) => Value::Date(d),
        }
    }

    #[inline]
    fn as_f64(self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(i as f64),
            Scalar::Float(f) => Some(f),
            _ => None,
        }
    }
}

impl Lit {
    #[inline]
    fn scalar(&self) -> Result<Scalar<'_>, Fallback> {
        Ok(match self {
            Lit::Null => Scalar::Null,
            Lit::Bool(b) => Scalar::Bool(*b),
            Lit::Int(i) => Scalar::Int(*i),
            Lit::Float(f) => Scalar::Float(*f),
            Lit::Str(s) => Scalar::Str(s.as_str()),
            Lit::Date(d) => Scalar::Date(*d),
            Lit::List(_) => return Err(Fallback),
        })
    }
}

/// A compiled expression and how many locals it needs.
#[derive(Debug, Clone)]
pub struct Native {
    pub root: Node,
    pub locals: usize,
}

/// The fast path cannot decide this one: evaluate with rhai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback;

/// A script function, for inlining.
#[derive(Debug, Clone)]
pub struct Function {
    params: Vec<ImmutableString>,
    body: Vec<Stmt>,
}

/// Script functions available for inlining, by (name, number of parameters).
pub type Functions = HashMap<(String, usize), Function>;

/// Collects the functions of the rule scripts.
pub fn functions(ast: &AST) -> Functions {
    let mut out = Functions::new();
    for def in ast.iter_fn_def() {
        let (name, arity) = (def.name.clone(), def.params.len());
        // rhai does not export the body's type; `walk` over an AST holding only this
        // function visits exactly its body, top-level statements at path length 1.
        let mut module = rhai::Module::new();
        module.set_script_fn(def.clone());
        let single = AST::new_from_module(module);
        let mut body = Vec::new();
        single.walk(&mut |path: &[rhai::ASTNode]| {
            if let [rhai::ASTNode::Stmt(stmt)] = path {
                body.push((*stmt).clone());
            }
            true
        });
        let params = def.params.iter().cloned().collect();
        out.insert((name.to_string(), arity), Function { params, body });
    }
    out
}

/// How deeply script functions may be inlined into each other (recursion stays in rhai).
const MAX_INLINE_DEPTH: usize = 8;

/// Compiles an expression's AST, or `None` when it uses something the fast path does not
/// cover (then the interpreter runs it).
pub fn compile(
    ast: &AST,
    resolve: &dyn Fn(&str) -> Option<Slot>,
    functions: &Functions,
) -> Option<Native> {
    let mut c = Compiler {
        resolve,
        functions,
        locals: 0,
        depth: 0,
    };
    let root = c.block(ast.statements(), &mut Vec::new())?;
    Some(Native {
        root,
        locals: c.locals,
    })
}

struct Compiler<'c> {
    resolve: &'c dyn Fn(&str) -> Option<Slot>,
    functions: &'c Functions,
    locals: usize,
    depth: usize,
}

/// Names of locals in scope, innermost last.
type Scope = Vec<(ImmutableString, u16)>;

impl Compiler<'_> {
    fn local(&mut self) -> Option<u16> {
        let id = u16::try_from(self.locals).ok()?;
        self.locals += 1;
        Some(id)
    }

    /// A statement sequence: `let`s, then a final value.
    fn block(&mut self, stmts: &[Stmt], scope: &mut Scope) -> Option<Node> {
        let depth = scope.len();
        let mut lets = Vec::new();
        let mut value = None;
        for (k, stmt) in stmts.iter().enumerate() {
            let last = k + 1 == stmts.len();
            match stmt {
                Stmt::Noop(_) => {}
                Stmt::Var(x, _, _) if !last => {
                    let init = self.expr(&x.1, scope)?;
                    let id = self.local()?;
                    scope.push((x.0.name.clone(), id));
                    lets.push((id, init));
                }
                Stmt::Return(Some(e), _, _) if last => value = Some(self.expr(e, scope)?),
                _ if last => value = Some(self.stmt(stmt, scope)?),
                _ => return None,
            }
        }
        scope.truncate(depth);
        let value = value.unwrap_or(Node::Const(Lit::Null));
        Some(if lets.is_empty() {
            value
        } else {
            Node::Block(lets.into(), Box::new(value))
        })
    }

    fn stmt(&mut self, stmt: &Stmt, scope: &mut Scope) -> Option<Node> {
        match stmt {
            Stmt::Expr(e) => self.expr(e, scope),
            Stmt::FnCall(f, _) => self.call(f, scope),
            Stmt::Block(b) => self.block(b.statements(), scope),
            Stmt::If(flow, _) => {
                let cond = self.expr(&flow.expr, scope)?;
                let then = self.block(flow.body.statements(), scope)?;
                let other = self.block(flow.branch.statements(), scope)?;
                Some(Node::If(Box::new((cond, then, other))))
            }
            _ => None,
        }
    }

    fn list(&mut self, items: &[Expr], scope: &mut Scope) -> Option<Box<[Node]>> {
        items.iter().map(|e| self.expr(e, scope)).collect()
    }

    fn expr(&mut self, e: &Expr, scope: &mut Scope) -> Option<Node> {
        Some(match e {
            Expr::Unit(_) => Node::Const(Lit::Null),
            Expr::BoolConstant(b, _) => Node::Const(Lit::Bool(*b)),
            Expr::IntegerConstant(i, _) => Node::Const(Lit::Int(*i)),
            Expr::FloatConstant(f, _) => Node::Const(Lit::Float(**f)),
            Expr::StringConstant(s, _) => Node::Const(Lit::Str(s.clone())),
            Expr::DynamicConstant(d, _) => Node::Const(lit(d)?),
            Expr::Variable(v, _, _) => {
                if !v.2.is_empty() {
                    return None; // namespaced: module variables
                }
                let name = &v.1;
                match scope.iter().rev().find(|(n, _)| n == name) {
                    Some((_, id)) => Node::Local(*id),
                    // Inside a script function only its parameters and locals exist.
                    None if self.depth > 0 => return None,
                    None => Node::Slot((self.resolve)(name)?),
                }
            }
            // `previous.tier`: a value of an earlier period, a slot of its own.
            Expr::Dot(x, _, _) if self.depth == 0 => match (&x.lhs, &x.rhs) {
                (Expr::Variable(v, _, _), Expr::Property(p, _)) if v.2.is_empty() => {
                    Node::Slot((self.resolve)(&format!("{}.{}", v.1, p.2))?)
                }
                _ => return None,
            },
            Expr::And(items, _) => Node::And(self.list(items, scope)?),
            Expr::Or(items, _) => Node::Or(self.list(items, scope)?),
            Expr::Coalesce(items, _) => Node::Coalesce(self.list(items, scope)?),
            Expr::FnCall(f, _) => self.call(f, scope)?,
            Expr::Stmt(block) => self.block(block.statements(), scope)?,
            _ => return None,
        })
    }

    fn call(&mut self, f: &rhai::FnCallExpr, scope: &mut Scope) -> Option<Node> {
        if !f.namespace.is_empty() || f.capture_parent_scope {
            return None;
        }
        let args = &f.args;
        let binary = |op| -> Option<_> { (args.len() == 2).then_some(op) };
        if f.op_token.is_some() {
            let node = match (f.name.as_str(), args.len()) {
                ("!", 1) => Node::Not(Box::new(self.expr(&args[0], scope)?)),
                ("-", 1) => Node::Neg(Box::new(self.expr(&args[0], scope)?)),
                ("+", 1) => self.expr(&args[0], scope)?,
                (name, 2) => {
                    let pair = Box::new((self.expr(&args[0], scope)?, self.expr(&args[1], scope)?));
                    match name {
                        "==" => Node::Cmp(binary(Cmp::Eq)?, pair),
                        "!=" => Node::Cmp(binary(Cmp::Ne)?, pair),
                        "<" => Node::Cmp(binary(Cmp::Lt)?, pair),
                        "<=" => Node::Cmp(binary(Cmp::Le)?, pair),
                        ">" => Node::Cmp(binary(Cmp::Gt)?, pair),
                        ">=" => Node::Cmp(binary(Cmp::Ge)?, pair),
                        "+" => Node::Arith(Arith::Add, pair),
                        "-" => Node::Arith(Arith::Sub, pair),
                        "*" => Node::Arith(Arith::Mul, pair),
                        "/" => Node::Arith(Arith::Div, pair),
                        "%" => Node::Arith(Arith::Rem, pair),
                        _ => return None,
                    }
                }
                _ => return None,
            };
            return Some(fuse(node));
        }
        // `x in [..]` is `contains([..], x)`.
        if f.name == "contains" && args.len() == 2 {
            let items: Vec<Lit> = match &args[0] {
                Expr::Array(items, _) => items.iter().map(const_lit).collect::<Option<_>>()?,
                Expr::DynamicConstant(d, _) => {
                    let array = d.read_lock::<rhai::Array>()?;
                    array.iter().map(lit).collect::<Option<_>>()?
                }
                _ => return None,
            };
            return Some(Node::In(
                Box::new(self.expr(&args[1], scope)?),
                items.into(),
            ));
        }
        let builtin = match (f.name.as_str(), args.len()) {
            ("is_null", 1) => Some(Builtin::IsNull),
            ("min", 2) => Some(Builtin::Min),
            ("max", 2) => Some(Builtin::Max),
            ("abs", 1) => Some(Builtin::Abs),
            ("floor", 1) => Some(Builtin::Floor),
            ("ceiling", 1) => Some(Builtin::Ceiling),
            ("round", 1) => Some(Builtin::Round),
            ("date", 1) => {
                // A constant date is a date at load time (the loader checks it parses).
                if let Expr::StringConstant(text, _) = &args[0] {
                    return Some(Node::Const(Lit::Date(Date::parse(text)?)));
                }
                Some(Builtin::Date)
            }
            ("days_between", 2) => Some(Builtin::DaysBetween),
            ("months_between", 2) => Some(Builtin::MonthsBetween),
            ("add_days", 2) => Some(Builtin::AddDays),
            ("add_months", 2) => Some(Builtin::AddMonths),
            ("year", 1) => Some(Builtin::Year),
            ("month", 1) => Some(Builtin::Month),
            ("quarter", 1) => Some(Builtin::Quarter),
            _ => None,
        };
        let key = (f.name.to_string(), args.len());
        // A script function of the same name and arity wins over the standard library.
        if let Some(def) = self.functions.get(&key) {
            return self.inline(def, args, scope);
        }
        let builtin = builtin?;
        Some(Node::Call(builtin, self.list(args, scope)?))
    }

    /// Inlines a script function: its parameters become locals bound to the arguments.
    fn inline(&mut self, def: &Function, args: &[Expr], scope: &mut Scope) -> Option<Node> {
        if self.depth >= MAX_INLINE_DEPTH {
            return None;
        }
        let mut lets = Vec::with_capacity(args.len());
        for arg in args {
            let value = self.expr(arg, scope)?;
            lets.push((self.local()?, value));
        }
        // A function sees only its parameters, never the caller's locals.
        let mut inner: Scope = def
            .params
            .iter()
            .cloned()
            .zip(lets.iter().map(|(id, _)| *id))
            .collect();
        self.depth += 1;
        let value = self.block(&def.body, &mut inner);
        self.depth -= 1;
        Some(Node::Block(lets.into(), Box::new(value?)))
    }
}

/// `slot <op> constant` (or `constant <op> slot`) as one node.
fn fuse(node: Node) -> Node {
    let Node::Cmp(op, pair) = node else {
        return node;
    };
    let mirrored = match op {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    };
    match *pair {
        (Node::Slot(s), Node::Const(c)) => Node::CmpSlot(op, s, c),
        (Node::Const(c), Node::Slot(s)) => Node::CmpSlot(mirrored, s, c),
        pair => Node::Cmp(op, Box::new(pair)),
    }
}

fn const_lit(e: &Expr) -> Option<Lit> {
    match e {
        Expr::Unit(_) => Some(Lit::Null),
        Expr::BoolConstant(b, _) => Some(Lit::Bool(*b)),
        Expr::IntegerConstant(i, _) => Some(Lit::Int(*i)),
        Expr::FloatConstant(f, _) => Some(Lit::Float(**f)),
        Expr::StringConstant(s, _) => Some(Lit::Str(s.clone())),
        Expr::DynamicConstant(d, _) => lit(d),
        _ => None,
    }
}

/// A rhai constant as a literal; `None` for lists and other values (the fast path does
/// not compare those).
fn lit(d: &rhai::Dynamic) -> Option<Lit> {
    if d.is_unit() {
        Some(Lit::Null)
    } else if let Ok(b) = d.as_bool() {
        Some(Lit::Bool(b))
    } else if let Ok(i) = d.as_int() {
        Some(Lit::Int(i))
    } else if let Ok(f) = d.as_float() {
        Some(Lit::Float(f))
    } else if let Some(date) = d.clone().try_cast::<Date>() {
        Some(Lit::Date(date))
    } else {
        d.read_lock::<ImmutableString>()
            .map(|s| Lit::Str(s.clone()))
    }
}

/// Evaluates a compiled expression over a customer's frame. `locals` must hold at least
/// `Native::locals` values.
#[inline]
pub fn eval<'a>(
    node: &'a Node,
    frame: &[Value<'a>],
    locals: &mut [Scalar<'a>],
) -> Result<Scalar<'a>, Fallback> {
    Ok(match node {
        Node::Const(l) => l.scalar()?,
        Node::Slot(s) => Scalar::of(&frame[*s])?,
        Node::Local(id) => locals[*id as usize],
        Node::Not(x) => match eval(x, frame, locals)? {
            Scalar::Bool(b) => Scalar::Bool(!b),
            _ => return Err(Fallback),
        },
        Node::Neg(x) => match eval(x, frame, locals)? {
            Scalar::Int(i) => Scalar::Int(i.checked_neg().ok_or(Fallback)?),
            Scalar::Float(f) => Scalar::Float(-f),
            _ => return Err(Fallback),
        },
        Node::And(items) => {
            for item in items.iter() {
                match eval(item, frame, locals)? {
                    Scalar::Bool(true) => {}
                    Scalar::Bool(false) => return Ok(Scalar::Bool(false)),
                    _ => return Err(Fallback),
                }
            }
            Scalar::Bool(true)
        }
        Node::Or(items) => {
            for item in items.iter() {
                match eval(item, frame, locals)? {
                    Scalar::Bool(false) => {}
                    Scalar::Bool(true) => return Ok(Scalar::Bool(true)),
                    _ => return Err(Fallback),
                }
            }
            Scalar::Bool(false)
        }
        Node::Coalesce(items) => {
            let mut last = Scalar::Null;
            for item in items.iter() {
                last = eval(item, frame, locals)?;
                if last != Scalar::Null {
                    break;
                }
            }
            last
        }
        Node::Cmp(op, pair) => {
            let a = eval(&pair.0, frame, locals)?;
            let b = eval(&pair.1, frame, locals)?;
            Scalar::Bool(compare(*op, a, b)?)
        }
        Node::CmpSlot(op, slot, c) => {
            Scalar::Bool(compare(*op, Scalar::of(&frame[*slot])?, c.scalar()?)?)
        }
        Node::Arith(op, pair) => {
            let a = eval(&pair.0, frame, locals)?;
            let b = eval(&pair.1, frame, locals)?;
            arith(*op, a, b)?
        }
        Node::In(x, items) => {
            let x = eval(x, frame, locals)?;
            let mut found = false;
            for item in items.iter() {
                if compare(Cmp::Eq, x, item.scalar()?)? {
                    found = true;
                    break;
                }
            }
            Scalar::Bool(found)
        }
        Node::If(parts) => match eval(&parts.0, frame, locals)? {
            Scalar::Bool(true) => eval(&parts.1, frame, locals)?,
            Scalar::Bool(false) => eval(&parts.2, frame, locals)?,
            _ => return Err(Fallback),
        },
        Node::Call(f, args) => call(*f, args, frame, locals)?,
        Node::Block(lets, value) => {
            for (id, init) in lets.iter() {
                locals[*id as usize] = eval(init, frame, locals)?;
            }
            eval(value, frame, locals)?
        }
    })
}

/// rhai's comparison semantics: numbers compare across int/float; text with text; dates
/// with dates; values of different kinds are unequal and never ordered (so NULL orders
/// false), except that a date compared with anything but a date or NULL is rhai's error to
/// raise.
#[inline]
fn compare(op: Cmp, a: Scalar<'_>, b: Scalar<'_>) -> Result<bool, Fallback> {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(&y)),
        (Scalar::Date(_), Scalar::Null) | (Scalar::Null, Scalar::Date(_)) => None,
        (Scalar::Date(_), _) | (_, Scalar::Date(_)) => return Err(Fallback),
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Float(x), Scalar::Float(y)) => x.partial_cmp(&y),
        (Scalar::Int(x), Scalar::Float(y)) => (x as f64).partial_cmp(&y),
        (Scalar::Float(x), Scalar::Int(y)) => x.partial_cmp(&(y as f64)),
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        // true/false and NULL are only equal or not; rhai does not order them.
        (Scalar::Bool(x), Scalar::Bool(y)) if matches!(op, Cmp::Eq | Cmp::Ne) => Some(x.cmp(&y)),
        (Scalar::Null, Scalar::Null) if matches!(op, Cmp::Eq | Cmp::Ne) => Some(Ordering::Equal),
        // Different kinds: unequal, and no ordering holds.
        _ => None,
    };
    Ok(match (op, ordering) {
        (Cmp::Eq, o) => o == Some(Ordering::Equal),
        (Cmp::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (Cmp::Lt, Some(o)) => o == Ordering::Less,
        (Cmp::Le, Some(o)) => o != Ordering::Greater,
        (Cmp::Gt, Some(o)) => o == Ordering::Greater,
        (Cmp::Ge, Some(o)) => o != Ordering::Less,
    })
}

#[inline]
fn arith<'a>(op: Arith, a: Scalar<'a>, b: Scalar<'a>) -> Result<Scalar<'a>, Fallback> {
    if let (Scalar::Int(x), Scalar::Int(y)) = (a, b) {
        return Ok(match op {
            Arith::Add => Scalar::Int(x.checked_add(y).ok_or(Fallback)?),
            Arith::Sub => Scalar::Int(x.checked_sub(y).ok_or(Fallback)?),
            Arith::Mul => Scalar::Int(x.checked_mul(y).ok_or(Fallback)?),
            // tierwise's `/` always divides as decimals; by zero is rhai's error to raise.
            Arith::Div if y != 0 => Scalar::Float(x as f64 / y as f64),
            Arith::Rem if y != 0 => Scalar::Int(x.checked_rem(y).ok_or(Fallback)?),
            _ => return Err(Fallback),
        });
    }
    let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
        return Err(Fallback);
    };
    Ok(Scalar::Float(match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div if y != 0.0 => x / y,
        Arith::Rem => x % y,
        Arith::Div => return Err(Fallback),
    }))
}

#[inline]
fn call<'a>(
    f: Builtin,
    args: &'a [Node],
    frame: &[Value<'a>],
    locals: &mut [Scalar<'a>],
) -> Result<Scalar<'a>, Fallback> {
    let first = eval(&args[0], frame, locals)?;
    Ok(match f {
        Builtin::IsNull => Scalar::Bool(first == Scalar::Null),
        Builtin::Min | Builtin::Max => {
            let second = eval(&args[1], frame, locals)?;
            let pick_first = |o: std::cmp::Ordering| match f {
                Builtin::Min => o != std::cmp::Ordering::Greater,
                _ => o != std::cmp::Ordering::Less,
            };
            match (first, second) {
                (Scalar::Int(x), Scalar::Int(y)) => {
                    Scalar::Int(if pick_first(x.cmp(&y)) { x } else { y })
                }
                _ => {
                    let (Some(x), Some(y)) = (first.as_f64(), second.as_f64()) else {
                        return Err(Fallback);
                    };
                    let o = x.partial_cmp(&y).ok_or(Fallback)?;
                    Scalar::Float(if pick_first(o) { x } else { y })
                }
            }
        }
        Builtin::Abs => match first {
            Scalar::Int(i) => Scalar::Int(i.checked_abs().ok_or(Fallback)?),
            Scalar::Float(x) => Scalar::Float(x.abs()),
            _ => return Err(Fallback),
        },
        Builtin::Date => match first {
            Scalar::Date(d) => Scalar::Date(d),
            Scalar::Str(text) => Scalar::Date(Date::parse(text).ok_or(Fallback)?),
            _ => return Err(Fallback),
        },
        Builtin::Year | Builtin::Month | Builtin::Quarter => match first {
            Scalar::Date(d) => Scalar::Int(i64::from(match f {
                Builtin::Year => d.year() as u32,
                Builtin::Month => d.month(),
                _ => d.quarter(),
            })),
            _ => return Err(Fallback),
        },
        Builtin::DaysBetween | Builtin::MonthsBetween => {
            let second = eval(&args[1], frame, locals)?;
            match (first, second) {
                (Scalar::Date(a), Scalar::Date(b)) => Scalar::Int(match f {
                    Builtin::DaysBetween => a.days_until(b),
                    _ => a.months_until(b),
                }),
                _ => return Err(Fallback),
            }
        }
        Builtin::AddDays | Builtin::AddMonths => {
            let second = eval(&args[1], frame, locals)?;
            match (first, second) {
                (Scalar::Date(d), Scalar::Int(n)) => Scalar::Date(
                    match f {
                        Builtin::AddDays => d.add_days(n),
                        _ => d.add_months(n),
                    }
                    .ok_or(Fallback)?,
                ),
                _ => return Err(Fallback),
            }
        }
        Builtin::Floor | Builtin::Ceiling | Builtin::Round => match first {
            Scalar::Int(i) => Scalar::Int(i),
            Scalar::Float(x) => Scalar::Float(match f {
                Builtin::Floor => x.floor(),
                Builtin::Ceiling => x.ceil(),
                _ => x.round(),
            }),
            _ => return Err(Fallback),
        },
    })
}

#[cfg(test)]
mod tests;
