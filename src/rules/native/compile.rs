//! Rhai's parsed AST to a [`Node`] tree, or `None` when the expression uses something the
//! fast path does not cover (then the interpreter runs it).

use super::{Arith, Builtin, Cmp, Native, Node, Step, Switch};
use crate::rules::Slot;
use crate::time::Date;
use crate::value::Lit;
use rhai::{AST, Expr, FnCallExpr, ImmutableString, Stmt};
use std::collections::HashMap;

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
    let root = c.block(ast.statements(), &mut Vec::new(), false)?;
    Some(Native {
        root,
        locals: c.locals,
    })
}

pub(super) struct Compiler<'c> {
    resolve: &'c dyn Fn(&str) -> Option<Slot>,
    functions: &'c Functions,
    locals: usize,
    /// How many inlined functions deep: a `return` belongs to the innermost one.
    depth: usize,
}

/// Names of locals in scope, innermost last.
pub(super) type Scope = Vec<(ImmutableString, u16)>;

impl Compiler<'_> {
    fn local(&mut self) -> Option<u16> {
        let id = u16::try_from(self.locals).ok()?;
        self.locals += 1;
        Some(id)
    }

    /// A statement sequence: `let`s and assignments, then a final value. `tail`: the
    /// block's value is the inlined function's value, so a `return` may end it; an `if`
    /// whose branch ends in `return` (a guard clause) then makes the rest its other branch.
    pub(super) fn block(&mut self, stmts: &[Stmt], scope: &mut Scope, tail: bool) -> Option<Node> {
        let depth = scope.len();
        let tail = tail && self.depth > 0;
        let mut steps = Vec::new();
        let mut value = None;
        for (k, stmt) in stmts.iter().enumerate() {
            let last = k + 1 == stmts.len();
            match stmt {
                Stmt::Noop(_) => {}
                Stmt::Var(x, _, _) if !last => {
                    let init = self.expr(&x.1, scope)?;
                    let id = self.local()?;
                    scope.push((x.0.name.clone(), id));
                    steps.push(Step::Set(id, init));
                }
                Stmt::Assignment(x) if !last => steps.push(self.assign(x, scope)?),
                // `if c { x += 1; }`: a statement for what it assigns.
                Stmt::If(flow, _) if !last && !returns(&flow.body) && !returns(&flow.branch) => {
                    let cond = self.expr(&flow.expr, scope)?;
                    let then = self.steps(flow.body.statements(), scope)?;
                    let other = self.steps(flow.branch.statements(), scope)?;
                    steps.push(Step::If(cond, then, other));
                }
                // What follows a `return` never runs.
                Stmt::Return(e, _, _) if tail => {
                    value = Some(match e {
                        Some(e) => self.expr(e, scope)?,
                        None => Node::Const(Lit::Null),
                    });
                    break;
                }
                Stmt::If(flow, _) if tail && !last && returns(&flow.body) => {
                    let cond = self.expr(&flow.expr, scope)?;
                    let then = self.block(flow.body.statements(), scope, true)?;
                    let other = if returns(&flow.branch) {
                        self.block(flow.branch.statements(), scope, true)?
                    } else if flow.branch.statements().is_empty() {
                        self.block(&stmts[k + 1..], scope, true)?
                    } else {
                        return None; // an `else` that falls through to the rest
                    };
                    value = Some(Node::If(Box::new((cond, then, other))));
                    break;
                }
                _ if last => value = Some(self.stmt(stmt, scope, tail)?),
                _ => return None,
            }
        }
        scope.truncate(depth);
        let value = value.unwrap_or(Node::Const(Lit::Null));
        Some(if steps.is_empty() {
            value
        } else {
            Node::Block(steps.into(), Box::new(value))
        })
    }

    /// The statements of an `if` statement's branch: `let`s, assignments and `if`s only.
    fn steps(&mut self, stmts: &[Stmt], scope: &mut Scope) -> Option<Box<[Step]>> {
        let depth = scope.len();
        let mut steps = Vec::with_capacity(stmts.len());
        for stmt in stmts {
            match stmt {
                Stmt::Noop(_) => {}
                Stmt::Var(x, _, _) => {
                    let init = self.expr(&x.1, scope)?;
                    let id = self.local()?;
                    scope.push((x.0.name.clone(), id));
                    steps.push(Step::Set(id, init));
                }
                Stmt::Assignment(x) => steps.push(self.assign(x, scope)?),
                Stmt::If(flow, _) => {
                    let cond = self.expr(&flow.expr, scope)?;
                    let then = self.steps(flow.body.statements(), scope)?;
                    let other = self.steps(flow.branch.statements(), scope)?;
                    steps.push(Step::If(cond, then, other));
                }
                _ => return None,
            }
        }
        scope.truncate(depth);
        Some(steps.into())
    }

    /// `x = e` and `x += e` (also `-=`, `*=`) to a local in scope.
    fn assign(
        &mut self,
        x: &(rhai::OpAssignment, rhai::BinaryExpr),
        scope: &mut Scope,
    ) -> Option<Step> {
        let (op, target) = x;
        let Expr::Variable(v, _, _) = &target.lhs else {
            return None;
        };
        let id = scope.iter().rev().find(|(n, _)| *n == v.1)?.1;
        let value = self.expr(&target.rhs, scope)?;
        let value = match op.get_op_assignment_info() {
            None => value,
            Some((.., op_syntax)) => {
                let arith = match op_syntax {
                    "+" => Arith::Add,
                    "-" => Arith::Sub,
                    "*" => Arith::Mul,
                    // `x /= y` divides whole numbers as whole numbers in rhai, unlike `/`.
                    _ => return None,
                };
                Node::Arith(arith, Box::new((Node::Local(id), value)))
            }
        };
        Some(Step::Set(id, value))
    }

    fn stmt(&mut self, stmt: &Stmt, scope: &mut Scope, tail: bool) -> Option<Node> {
        match stmt {
            Stmt::Expr(e) => self.expr(e, scope),
            Stmt::FnCall(f, _) => self.call(f, scope),
            Stmt::Block(b) => self.block(b.statements(), scope, tail),
            Stmt::If(flow, _) => {
                let cond = self.expr(&flow.expr, scope)?;
                let then = self.block(flow.body.statements(), scope, tail)?;
                let other = self.block(flow.branch.statements(), scope, tail)?;
                Some(Node::If(Box::new((cond, then, other))))
            }
            Stmt::Switch(x, _) => Some(Node::Switch(Box::new(Switch::compile(self, x, scope)?))),
            _ => None,
        }
    }

    fn list(&mut self, items: &[Expr], scope: &mut Scope) -> Option<Box<[Node]>> {
        items.iter().map(|e| self.expr(e, scope)).collect()
    }

    pub(super) fn expr(&mut self, e: &Expr, scope: &mut Scope) -> Option<Node> {
        Some(match e {
            Expr::Unit(_) => Node::Const(Lit::Null),
            Expr::BoolConstant(b, _) => Node::Const(Lit::Bool(*b)),
            Expr::IntegerConstant(i, _) => Node::Const(Lit::Int(*i)),
            Expr::FloatConstant(f, _) => Node::Const(Lit::Float(**f)),
            Expr::StringConstant(s, _) => Node::Const(Lit::Str(s.clone())),
            Expr::DynamicConstant(d, _) => Node::Const(lit(d)?),
            Expr::InterpolatedString(parts, _) => Node::Template(self.list(parts, scope)?),
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
            Expr::Dot(x, _, _) => match (&x.lhs, &x.rhs) {
                // `round(x).to_int()`: a method call of a standard function.
                (lhs, Expr::MethodCall(f, _)) => self.method(lhs, f, scope)?,
                // `previous.tier`: a value of an earlier period, a slot of its own.
                (Expr::Variable(v, _, _), Expr::Property(p, _))
                    if v.2.is_empty() && self.depth == 0 =>
                {
                    Node::Slot((self.resolve)(&format!("{}.{}", v.1, p.2))?)
                }
                _ => return None,
            },
            Expr::And(items, _) => Node::And(self.list(items, scope)?),
            Expr::Or(items, _) => Node::Or(self.list(items, scope)?),
            Expr::Coalesce(items, _) => Node::Coalesce(self.list(items, scope)?),
            Expr::FnCall(f, _) => self.call(f, scope)?,
            Expr::Stmt(block) => self.block(block.statements(), scope, false)?,
            _ => return None,
        })
    }

    /// `lhs.f(args)`: the standard function `f(lhs, args)`. A script function called as a
    /// method binds `this` instead, so those stay in rhai.
    fn method(&mut self, lhs: &Expr, f: &FnCallExpr, scope: &mut Scope) -> Option<Node> {
        let arity = f.args.len() + 1;
        let name = f.name.as_str();
        if !f.namespace.is_empty()
            || self.functions.contains_key(&(name.to_owned(), arity))
            || self.functions.contains_key(&(name.to_owned(), arity - 1))
        {
            return None;
        }
        let builtin = builtin(name, arity)?;
        let mut args = Vec::with_capacity(arity);
        args.push(self.expr(lhs, scope)?);
        for a in f.args.iter() {
            args.push(self.expr(a, scope)?);
        }
        Some(Node::Call(builtin, args.into()))
    }

    fn operator(&mut self, f: &FnCallExpr, scope: &mut Scope) -> Option<Node> {
        let args = &f.args;
        let node = match (f.name.as_str(), args.len()) {
            ("!", 1) => Node::Not(Box::new(self.expr(&args[0], scope)?)),
            ("-", 1) => Node::Neg(Box::new(self.expr(&args[0], scope)?)),
            ("+", 1) => self.expr(&args[0], scope)?,
            (name, 2) => {
                let pair = Box::new((self.expr(&args[0], scope)?, self.expr(&args[1], scope)?));
                match name {
                    "==" => Node::Cmp(Cmp::Eq, pair),
                    "!=" => Node::Cmp(Cmp::Ne, pair),
                    "<" => Node::Cmp(Cmp::Lt, pair),
                    "<=" => Node::Cmp(Cmp::Le, pair),
                    ">" => Node::Cmp(Cmp::Gt, pair),
                    ">=" => Node::Cmp(Cmp::Ge, pair),
                    "+" => Node::Arith(Arith::Add, pair),
                    "-" => Node::Arith(Arith::Sub, pair),
                    "*" => Node::Arith(Arith::Mul, pair),
                    "/" => Node::Arith(Arith::Div, pair),
                    "%" => Node::Arith(Arith::Rem, pair),
                    "**" => Node::Arith(Arith::Pow, pair),
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(fuse(node))
    }

    fn call(&mut self, f: &FnCallExpr, scope: &mut Scope) -> Option<Node> {
        if !f.namespace.is_empty() || f.capture_parent_scope {
            return None;
        }
        if f.op_token.is_some() {
            return self.operator(f, scope);
        }
        let args = &f.args;
        let key = (f.name.to_string(), args.len());
        // A script function of the same name and arity wins over the standard library.
        if let Some(def) = self.functions.get(&key) {
            return self.inline(def, args, scope);
        }
        match (f.name.as_str(), args.len()) {
            // `x in [..]` is `contains([..], x)`.
            ("contains", 2) if is_list(&args[0]) => {
                let items: Vec<Lit> = match &args[0] {
                    Expr::Array(items, _) => items.iter().map(const_lit).collect::<Option<_>>()?,
                    Expr::DynamicConstant(d, _) => {
                        let array = d.read_lock::<rhai::Array>()?;
                        array.iter().map(lit).collect::<Option<_>>()?
                    }
                    _ => return None,
                };
                Some(Node::In(
                    Box::new(self.expr(&args[1], scope)?),
                    Box::new(items.into()),
                ))
            }
            // A constant date is a date at load time (the loader checks it parses).
            ("date", 1) if matches!(args[0], Expr::StringConstant(..)) => {
                let Expr::StringConstant(text, _) = &args[0] else {
                    return None;
                };
                Some(Node::Const(Lit::Date(Date::parse(text)?)))
            }
            ("pow", 2) => {
                let pair = Box::new((self.expr(&args[0], scope)?, self.expr(&args[1], scope)?));
                Some(Node::Arith(Arith::Pow, pair))
            }
            (name, arity) => Some(Node::Call(builtin(name, arity)?, self.list(args, scope)?)),
        }
    }

    /// Inlines a script function: its parameters become locals bound to the arguments.
    fn inline(&mut self, def: &Function, args: &[Expr], scope: &mut Scope) -> Option<Node> {
        if self.depth >= MAX_INLINE_DEPTH {
            return None;
        }
        let mut lets = Vec::with_capacity(args.len());
        let mut ids = Vec::with_capacity(args.len());
        for arg in args {
            let value = self.expr(arg, scope)?;
            let id = self.local()?;
            lets.push(Step::Set(id, value));
            ids.push(id);
        }
        // A function sees only its parameters, never the caller's locals.
        let mut inner: Scope = def.params.iter().cloned().zip(ids).collect();
        self.depth += 1;
        let value = self.block(&def.body, &mut inner, true);
        self.depth -= 1;
        Some(Node::Block(lets.into(), Box::new(value?)))
    }
}

/// Whether a block's last statement is a `return`.
fn returns(block: &rhai::StmtBlock) -> bool {
    matches!(block.statements().last(), Some(Stmt::Return(..)))
}

fn is_list(e: &Expr) -> bool {
    match e {
        Expr::Array(..) => true,
        Expr::DynamicConstant(d, _) => d.is_array(),
        _ => false,
    }
}

/// The standard function `name` of `arity` arguments the fast path computes.
fn builtin(name: &str, arity: usize) -> Option<Builtin> {
    Some(match (name, arity) {
        ("is_null", 1) => Builtin::IsNull,
        ("min", 2) => Builtin::Min,
        ("max", 2) => Builtin::Max,
        ("abs", 1) => Builtin::Abs,
        ("floor", 1) => Builtin::Floor,
        ("ceiling", 1) => Builtin::Ceiling,
        ("round", 1) => Builtin::Round,
        ("sqrt", 1) => Builtin::Sqrt,
        ("exp", 1) => Builtin::Exp,
        ("ln", 1) => Builtin::Ln,
        ("log", 1) => Builtin::Log10,
        ("log", 2) => Builtin::Log,
        ("to_int", 1) => Builtin::ToInt,
        ("to_float", 1) => Builtin::ToFloat,
        ("to_string", 1) => Builtin::ToString,
        ("contains", 2) => Builtin::Contains,
        ("starts_with", 2) => Builtin::StartsWith,
        ("ends_with", 2) => Builtin::EndsWith,
        ("date", 1) => Builtin::Date,
        ("days_between", 2) => Builtin::DaysBetween,
        ("months_between", 2) => Builtin::MonthsBetween,
        ("add_days", 2) => Builtin::AddDays,
        ("add_months", 2) => Builtin::AddMonths,
        ("year", 1) => Builtin::Year,
        ("month", 1) => Builtin::Month,
        ("quarter", 1) => Builtin::Quarter,
        ("day", 1) => Builtin::Day,
        ("weekday", 1) => Builtin::Weekday,
        ("end_of_month", 1) => Builtin::EndOfMonth,
        _ => return None,
    })
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
