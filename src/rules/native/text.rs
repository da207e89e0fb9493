//! Text the fast path builds, in the scratch buffer: string templates, `+` with text and
//! `to_string`, written exactly as rhai writes them (NULL as nothing, decimals as rhai's
//! `FloatWrapper` prints them, dates as 2025-03-01). Text longer than the engine's
//! `max_string_size` is rhai's error to raise.

use super::builtins::to_int;
use super::eval::eval;
use super::{Builtin, Fallback, Node, Scalar, Scratch, typed};
use crate::value::Value;
use std::fmt::Write;

/// Appends `v` (of `frame`) as rhai's `to_string` writes it.
fn write(cx: &mut Scratch<'_>, v: Scalar<'_>, frame: &[Value<'_>]) {
    let out = &mut cx.text;
    match v {
        Scalar::Null => {}
        Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Scalar::Int(i) => out.push_str(itoa::Buffer::new().format(i)),
        Scalar::Float(f) => {
            let _ = write!(out, "{}", rhai::FloatWrapper::new(f));
        }
        Scalar::Const(s) => out.push_str(s),
        Scalar::Field(slot) => match &frame[slot as usize] {
            Value::Str(s) => out.push_str(s),
            Value::Owned(s) => out.push_str(s),
            _ => {}
        },
        Scalar::Buf(start, end) => out.extend_from_within(start as usize..end as usize),
        Scalar::Date(d) => {
            let _ = write!(out, "{d}");
        }
    }
}

/// The text written since `start`, as a value; too long is rhai's error.
fn finish<'a>(cx: &Scratch<'a>, start: usize) -> Result<Scalar<'a>, Fallback> {
    let end = cx.text.len();
    if end - start > cx.max_text {
        return Err(Fallback);
    }
    let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
        return Err(Fallback);
    };
    Ok(Scalar::Buf(start, end))
}

/// `to_string(v)`.
pub(super) fn to_string<'a>(
    v: Scalar<'a>,
    frame: &[Value<'_>],
    cx: &mut Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    if v.is_text() {
        return Ok(v);
    }
    let start = cx.text.len();
    write(cx, v, frame);
    finish(cx, start)
}

/// `` `tier ${tier}: ${score}` ``: every part as `to_string` writes it.
pub(super) fn template<'a>(
    parts: &'a [Node],
    frame: &[Value<'_>],
    cx: &mut Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    let start = cx.text.len();
    // The usual parts (text, a name, `x.to_int()` of a name) build no text of their own:
    // each is written as it is read.
    if parts.iter().all(plain) {
        for part in parts {
            let value = plain_value(part, frame, &mut cx.locals)?;
            write(cx, value, frame);
        }
        return finish(cx, start);
    }
    // Otherwise the parts are evaluated first (one may build text of its own in the buffer,
    // or be a template itself, whose parts go above these on the stack), then written one
    // after the other.
    let base = cx.parts.len();
    for part in parts {
        let value = eval(part, frame, cx)?;
        cx.parts.push(value);
    }
    let start = cx.text.len();
    for k in base..cx.parts.len() {
        let value = cx.parts[k];
        write(cx, value, frame);
    }
    cx.parts.truncate(base);
    finish(cx, start)
}

/// A template part that builds no text: a constant, a name, `to_int()` of a name, or that
/// typed (`score.to_int()` once `score` is known to hold decimals).
fn plain(part: &Node) -> bool {
    match part {
        Node::Const(_) | Node::Slot(_) => true,
        Node::Call(Builtin::ToInt, args) => matches!(&args[..], [Node::Slot(_)]),
        Node::Int(t) => plain(&t.1),
        _ => false,
    }
}

/// The value of a [`plain`] part, as the tree walk gives it.
#[inline]
fn plain_value<'a>(
    part: &'a Node,
    frame: &[Value<'_>],
    locals: &mut [Scalar<'a>],
) -> Result<Scalar<'a>, Fallback> {
    match part {
        Node::Const(l) => l.scalar(),
        Node::Slot(s) => Scalar::of(frame, *s),
        Node::Call(Builtin::ToInt, args) => match &args[..] {
            [Node::Slot(s)] => to_int(Scalar::of(frame, *s)?),
            _ => Err(Fallback),
        },
        // Where the typed tree gives way, its generic tree decides (as `eval` does).
        Node::Int(t) => match typed::int(&t.0, frame, locals) {
            Ok(i) => Ok(Scalar::Int(i)),
            Err(Fallback) => plain_value(&t.1, frame, locals),
        },
        _ => Err(Fallback),
    }
}

/// `a + b` where one is text: NULL adds nothing; anything else is added as `to_string`
/// writes it.
pub(super) fn concat<'a>(
    a: Scalar<'a>,
    b: Scalar<'a>,
    frame: &[Value<'_>],
    cx: &mut Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    match (a, b) {
        (text, Scalar::Null) | (Scalar::Null, text) => Ok(text),
        _ => {
            let start = cx.text.len();
            write(cx, a, frame);
            write(cx, b, frame);
            finish(cx, start)
        }
    }
}
