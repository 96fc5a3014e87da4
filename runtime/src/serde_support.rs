//! serde pieces generated code uses where derive alone would not match the wire.

use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use std::fmt;

/// Reads the one set member of a union: `{"Name": value}`. `null` members and the
/// `__type` key are ignored, as the JSON protocols specify; none or two set
/// members is an error naming them.
pub fn union_member<'de, D: Deserializer<'de>>(
    deserializer: D,
    union_name: &'static str,
) -> Result<(String, serde_json::Value), D::Error> {
    struct UnionVisitor(&'static str);
    impl<'de> Visitor<'de> for UnionVisitor {
        type Value = (String, serde_json::Value);
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "a JSON object with exactly one member of union {}",
                self.0
            )
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found: Option<(String, serde_json::Value)> = None;
            while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                if value.is_null() || key == "__type" {
                    continue;
                }
                if let Some((first, _)) = &found {
                    return Err(A::Error::custom(format!(
                        "union {} has two members set, `{first}` and `{key}`",
                        self.0
                    )));
                }
                found = Some((key, value));
            }
            found.ok_or_else(|| A::Error::custom(format!("union {} has no member set", self.0)))
        }
    }
    deserializer.deserialize_map(UnionVisitor(union_name))
}

/// Reads a union member's value as its type.
pub fn union_value<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    member: &str,
    value: serde_json::Value,
) -> Result<T, E> {
    serde_json::from_value(value)
        .map_err(|error| E::custom(format!("union member `{member}`: {error}")))
}

macro_rules! float_option {
    ($module:ident, $float:ty) => {
        /// Optional floats as the JSON protocols send them: numbers, or the strings
        /// `NaN`, `Infinity` and `-Infinity` for values JSON numbers cannot hold.
        pub mod $module {
            use super::*;

            /// Writes a float, non-finite values as strings.
            pub fn serialize<S: serde::Serializer>(
                value: &Option<$float>,
                s: S,
            ) -> Result<S::Ok, S::Error> {
                match value {
                    None => s.serialize_none(),
                    Some(v) if v.is_nan() => s.serialize_str("NaN"),
                    Some(v) if v.is_infinite() => {
                        s.serialize_str(if *v > 0.0 { "Infinity" } else { "-Infinity" })
                    }
                    Some(v) => s.serialize_some(v),
                }
            }

            /// Reads a float from a number or one of the three strings.
            pub fn deserialize<'de, D: Deserializer<'de>>(
                d: D,
            ) -> Result<Option<$float>, D::Error> {
                match <Option<serde_json::Value> as serde::Deserialize>::deserialize(d)? {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(serde_json::Value::Number(n)) => n
                        .as_f64()
                        .map(|v| Some(v as $float))
                        .ok_or_else(|| D::Error::custom(format!("{n} is not a float"))),
                    Some(serde_json::Value::String(s)) => match s.as_str() {
                        "NaN" => Ok(Some(<$float>::NAN)),
                        "Infinity" => Ok(Some(<$float>::INFINITY)),
                        "-Infinity" => Ok(Some(<$float>::NEG_INFINITY)),
                        other => Err(D::Error::custom(format!("`{other}` is not a float"))),
                    },
                    Some(other) => Err(D::Error::custom(format!("{other} is not a float"))),
                }
            }
        }
    };
}

float_option!(option_f32, f32);
float_option!(option_f64, f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Floats {
        #[serde(with = "option_f64", default, skip_serializing_if = "Option::is_none")]
        value: Option<f64>,
    }

    #[test]
    fn floats_use_strings_for_non_finite_values() {
        let nan = serde_json::to_string(&Floats {
            value: Some(f64::NAN),
        })
        .unwrap();
        assert_eq!(nan, r#"{"value":"NaN"}"#);
        let back: Floats = serde_json::from_str(r#"{"value":"-Infinity"}"#).unwrap();
        assert_eq!(back.value, Some(f64::NEG_INFINITY));
        assert_eq!(
            serde_json::from_str::<Floats>(r#"{"value":1.5}"#)
                .unwrap()
                .value,
            Some(1.5)
        );
        assert_eq!(serde_json::from_str::<Floats>("{}").unwrap().value, None);
        assert!(serde_json::from_str::<Floats>(r#"{"value":"lots"}"#).is_err());
    }

    #[test]
    fn union_needs_exactly_one_member() {
        let read = |text: &str| union_member(&mut serde_json::Deserializer::from_str(text), "U");
        assert_eq!(
            read(r#"{"A":1,"B":null,"__type":"x"}"#).unwrap(),
            ("A".into(), serde_json::json!(1))
        );
        assert!(read(r#"{"A":1,"B":2}"#)
            .unwrap_err()
            .to_string()
            .contains("two members"));
        assert!(read("{}").unwrap_err().to_string().contains("no member"));
    }
}
