//! Rhai's text methods that change a variable in place (`trim`, `make_upper`, `replace`,
//! ...) give nothing, so a rule that uses their result, `region.trim() == ""` or
//! `(s ?? "").to_upper().trim()`, compared NULL or gave NULL for every customer, exit 0.
//! Registered again here (registered functions win over rhai's packages), each still changes
//! the variable it is called on and also gives the changed text, so both ways of writing
//! work.

use rhai::{Engine, EvalAltResult, INT, ImmutableString, NativeCallContext, Position};

/// `f` applied to the text in place, and the text it leaves.
fn giving(
    f: impl Fn(&str) -> String + Send + Sync + 'static,
) -> impl Fn(&mut ImmutableString) -> ImmutableString + Send + Sync + 'static {
    move |text: &mut ImmutableString| {
        let changed: ImmutableString = f(text).into();
        *text = changed.clone();
        changed
    }
}

pub fn register(engine: &mut Engine) {
    engine
        .register_fn("trim", giving(|t| t.trim().to_owned()))
        .register_fn("make_upper", giving(str::to_uppercase))
        .register_fn("make_lower", giving(str::to_lowercase))
        .register_fn("clear", giving(|_| String::new()));
    engine
        .register_fn(
            "replace",
            |text: &mut ImmutableString, find: ImmutableString, with: ImmutableString| {
                giving(move |t| t.replace(find.as_str(), &with))(text)
            },
        )
        .register_fn(
            "replace",
            |text: &mut ImmutableString, find: ImmutableString, with: char| {
                giving(move |t| t.replace(find.as_str(), &with.to_string()))(text)
            },
        )
        .register_fn(
            "replace",
            |text: &mut ImmutableString, find: char, with: ImmutableString| {
                giving(move |t| t.replace(find, &with))(text)
            },
        )
        .register_fn(
            "replace",
            |text: &mut ImmutableString, find: char, with: char| {
                giving(move |t| t.replace(find, &with.to_string()))(text)
            },
        )
        .register_fn(
            "remove",
            |text: &mut ImmutableString, sub: ImmutableString| {
                giving(move |t| t.replace(sub.as_str(), ""))(text)
            },
        )
        .register_fn("remove", |text: &mut ImmutableString, c: char| {
            giving(move |t| t.replace(c, ""))(text)
        })
        // Keeps the first `len` characters (none when `len` <= 0), as rhai's does.
        .register_fn("truncate", |text: &mut ImmutableString, len: INT| {
            let keep = usize::try_from(len).unwrap_or(0);
            giving(move |t| t.chars().take(keep).collect())(text)
        })
        .register_fn(
            "crop",
            |text: &mut ImmutableString, start: INT, len: INT| {
                giving(move |t| cropped(t, start, len))(text)
            },
        )
        .register_fn("crop", |text: &mut ImmutableString, start: INT| {
            giving(move |t| cropped(t, start, INT::MAX))(text)
        })
        .register_fn(
            "pad",
            |ctx: NativeCallContext, text: &mut ImmutableString, len: INT, with: char| {
                padded(&ctx, text, len, &with.to_string())
            },
        )
        .register_fn(
            "pad",
            |ctx: NativeCallContext,
             text: &mut ImmutableString,
             len: INT,
             with: ImmutableString| { padded(&ctx, text, len, &with) },
        );
}

/// rhai's `crop(start, len)`: `len` characters from `start` (from the end when negative),
/// none when `start` is past the end or `len` <= 0.
fn cropped(t: &str, start: INT, len: INT) -> String {
    if t.is_empty() {
        return String::new();
    }
    let chars: Vec<char> = t.chars().collect();
    let offset = if start < 0 {
        let back = usize::try_from(start.unsigned_abs()).unwrap_or(usize::MAX);
        chars.len().saturating_sub(back)
    } else {
        match usize::try_from(start) {
            Ok(s) if s < chars.len() => s,
            _ => return String::new(),
        }
    };
    let Ok(len) = usize::try_from(len) else {
        return String::new();
    };
    chars.iter().skip(offset).take(len).collect()
}

/// rhai's `pad(len, with)`: `with` repeated after the text up to `len` characters (cut to
/// fit), within the engine's limit on text size.
fn padded(
    ctx: &NativeCallContext,
    text: &mut ImmutableString,
    len: INT,
    with: &str,
) -> Result<ImmutableString, Box<EvalAltResult>> {
    let most = ctx.engine().max_string_size();
    let len = usize::try_from(len).unwrap_or(0);
    if most > 0 && len > most {
        return Err(
            EvalAltResult::ErrorDataTooLarge("Length of string".into(), Position::NONE).into(),
        );
    }
    let have = text.chars().count();
    if len > have && !with.is_empty() {
        let mut out = text.to_string();
        out.extend(with.chars().cycle().take(len - have));
        *text = out.into();
    }
    Ok(text.clone())
}

#[cfg(test)]
mod tests {
    use rhai::{Dynamic, Engine};

    fn eval(script: &str) -> Dynamic {
        let mut engine = Engine::new();
        super::register(&mut engine);
        engine.eval(script).unwrap()
    }

    #[test]
    fn in_place_text_methods_also_give_the_text() {
        assert_eq!(eval(r#""  East ".trim()"#).into_string().unwrap(), "East");
        assert!(eval(r#"let s = "   "; s.trim() == """#).as_bool().unwrap());
        assert_eq!(
            eval(r#"let s = " north"; s.trim(); s.make_upper(); s"#)
                .into_string()
                .unwrap(),
            "NORTH"
        );
        assert_eq!(
            eval(r#"(" east" ?? "").to_upper().trim()"#)
                .into_string()
                .unwrap(),
            "EAST"
        );
        assert_eq!(
            eval(r#""a-b-c".replace("-", "/")"#).into_string().unwrap(),
            "a/b/c"
        );
        assert_eq!(
            eval(r#""a-b".replace('-', '+')"#).into_string().unwrap(),
            "a+b"
        );
        assert_eq!(eval(r#""x1x2".remove("x")"#).into_string().unwrap(), "12");
        assert_eq!(
            eval(r#""straße".truncate(4)"#).into_string().unwrap(),
            "stra"
        );
        assert_eq!(eval(r#""abc".truncate(-1)"#).into_string().unwrap(), "");
        assert_eq!(eval(r#""Abc".make_lower()"#).into_string().unwrap(), "abc");
        let text = |script: &str| eval(script).into_string().unwrap();
        assert_eq!(text(r#""C-1".pad(6, "*")"#), "C-1***");
        assert_eq!(text(r#""C-1".pad(6, "ab")"#), "C-1aba");
        assert_eq!(text(r#""C-1".pad(6, '0')"#), "C-1000");
        assert_eq!(text(r#""C-12345".pad(3, "*")"#), "C-12345");
        assert_eq!(text(r#"let t = "abc"; t.pad(5, "."); t"#), "abc..");
        assert_eq!(text(r#""straße".crop(2, 3)"#), "raß");
        assert_eq!(text(r#""straße".crop(-2)"#), "ße");
        assert_eq!(text(r#""straße".crop(-20, 2)"#), "st");
        assert_eq!(text(r#""straße".crop(9, 2)"#), "");
        assert_eq!(text(r#""straße".crop(1, 0)"#), "");
        assert_eq!(text(r#""straße".crop(4)"#), "ße");
        // Within the engine's limit on text size, as rhai's `pad` is.
        let mut limited = Engine::new();
        super::register(&mut limited);
        limited.set_max_string_size(100);
        assert!(
            limited
                .eval::<Dynamic>(r#""a".pad(1000000000, "x")"#)
                .is_err()
        );
    }
}
