//! A request body read as JSON with each key of an object given once: serde_json keeps the
//! last of a key given twice, so `{"annual_sales": 100, "annual_sales": 9999999}` was
//! evaluated as the second without a word. A client that sends a field twice has a bug
//! worth a 400.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

/// `body` as JSON; a key given twice in an object is an error at it.
pub fn parse(body: &[u8]) -> Result<Json, serde_json::Error> {
    serde_json::from_slice::<Unique>(body).map(|u| u.0)
}

struct Unique(Json);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(n.into())
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(n.into())
    }

    fn visit_f64<E>(self, x: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Unique::deserialize(d).map(|u| u.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the field `{key}` is given twice"
                )));
            }
            let Unique(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_key_given_twice_is_an_error_and_everything_else_reads_as_serde_json_does() {
        let twice = parse(br#"{"annual_sales": 100, "annual_sales": 9999999}"#).unwrap_err();
        assert!(
            twice
                .to_string()
                .starts_with("the field `annual_sales` is given twice at line 1"),
            "{twice}"
        );
        let nested =
            br#"{"a": [1, 2.5, -3, null, true, "x", {"b": {"c": 1}}], "d": 18446744073709551615}"#;
        assert_eq!(
            parse(nested).unwrap(),
            serde_json::from_slice::<serde_json::Value>(nested).unwrap()
        );
        assert!(parse(b"{\"a\": {\"b\": 1, \"b\": 2}}").is_err());
        assert!(parse(b"[").is_err());
    }
}
