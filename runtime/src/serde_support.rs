//! serde pieces generated code uses where derive alone would not match the wire.

use crate::datetime::DateTime;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

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

/// How a value travels when serde's derive alone would get its wire form wrong: JSON
/// protocols send non-finite floats as the strings `NaN`, `Infinity` and `-Infinity`, and
/// timestamps the model marks `iso8601` as RFC 3339 text, at any depth of lists, maps and
/// unions.
///
/// Generated code names a format as a type, built from [`Float`] and [`Iso8601`] with
/// [`Opt`], [`List`] and [`Map`], and passes it to [`serialize`] and [`deserialize`]: a
/// member of type `Option<Vec<DateTime>>` holding RFC 3339 timestamps has
/// `#[serde(serialize_with = "serialize::<Opt<List<Iso8601>>, _, _>", deserialize_with = "deserialize::<Opt<List<Iso8601>>, _, _>")]`.
pub trait Format<T> {
    /// Writes `value` in this format.
    fn serialize<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads a value in this format.
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;
}

/// `serialize_with` for a value in format `F`.
pub fn serialize<F: Format<T>, T, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    F::serialize(value, serializer)
}

/// `deserialize_with` for a value in format `F`.
pub fn deserialize<'de, F: Format<T>, T, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    F::deserialize(deserializer)
}

/// Reads a union member's value in format `F`, like [`union_value`].
pub fn union_value_with<F: Format<T>, T, E: serde::de::Error>(
    member: &str,
    value: serde_json::Value,
) -> Result<T, E> {
    F::deserialize(value).map_err(|error| E::custom(format!("union member `{member}`: {error}")))
}

/// `f32` and `f64`: numbers, or the strings `NaN`, `Infinity` and `-Infinity` for values JSON
/// numbers cannot hold.
pub struct Float;

macro_rules! float_format {
    ($float:ty, $serialize:ident) => {
        impl Format<$float> for Float {
            fn serialize<S: Serializer>(value: &$float, s: S) -> Result<S::Ok, S::Error> {
                if value.is_nan() {
                    s.serialize_str("NaN")
                } else if value.is_infinite() {
                    s.serialize_str(if *value > 0.0 {
                        "Infinity"
                    } else {
                        "-Infinity"
                    })
                } else {
                    s.$serialize(*value)
                }
            }

            fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$float, D::Error> {
                struct FloatVisitor;
                impl Visitor<'_> for FloatVisitor {
                    type Value = $float;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a number, `NaN`, `Infinity` or `-Infinity`")
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$float, E> {
                        Ok(v as $float)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$float, E> {
                        Ok(v as $float)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$float, E> {
                        Ok(v as $float)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$float, E> {
                        match v {
                            "NaN" => Ok(<$float>::NAN),
                            "Infinity" => Ok(<$float>::INFINITY),
                            "-Infinity" => Ok(<$float>::NEG_INFINITY),
                            other => Err(E::custom(format!("`{other}` is not a float"))),
                        }
                    }
                }
                d.deserialize_any(FloatVisitor)
            }
        }
    };
}

float_format!(f32, serialize_f32);
float_format!(f64, serialize_f64);

/// A [`DateTime`] as an RFC 3339 string, for `timestampFormat: iso8601`.
pub struct Iso8601;

impl Format<DateTime> for Iso8601 {
    fn serialize<S: Serializer>(value: &DateTime, s: S) -> Result<S::Ok, S::Error> {
        crate::datetime::serde_format::iso8601::serialize(value, s)
    }

    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
        crate::datetime::serde_format::iso8601::deserialize(d)
    }
}

/// An optional value in format `F`: a member, or an element of a sparse list or map.
pub struct Opt<F>(PhantomData<F>);

/// A list whose elements are in format `F`.
pub struct List<F>(PhantomData<F>);

/// A map with string keys whose values are in format `F`.
pub struct Map<F>(PhantomData<F>);

/// A borrowed value that serializes in format `F`.
struct With<'a, F, T>(&'a T, PhantomData<F>);

impl<F: Format<T>, T> Serialize for With<'_, F, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        F::serialize(self.0, serializer)
    }
}

/// Deserializes one value in format `F`.
struct Seed<F, T>(PhantomData<(F, T)>);

impl<F, T> Seed<F, T> {
    fn new() -> Self {
        Seed(PhantomData)
    }
}

impl<'de, F: Format<T>, T> DeserializeSeed<'de> for Seed<F, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        F::deserialize(deserializer)
    }
}

impl<F: Format<T>, T> Format<Option<T>> for Opt<F> {
    fn serialize<S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => s.serialize_some(&With::<F, T>(value, PhantomData)),
            None => s.serialize_none(),
        }
    }

    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        struct OptVisitor<F, T>(PhantomData<(F, T)>);
        impl<'de, F: Format<T>, T> Visitor<'de> for OptVisitor<F, T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
                F::deserialize(d).map(Some)
            }
        }
        d.deserialize_option(OptVisitor::<F, T>(PhantomData))
    }
}

impl<F: Format<T>, T> Format<Vec<T>> for List<F> {
    fn serialize<S: Serializer>(value: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(value.len()))?;
        for item in value {
            seq.serialize_element(&With::<F, T>(item, PhantomData))?;
        }
        seq.end()
    }

    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        struct ListVisitor<F, T>(PhantomData<(F, T)>);
        impl<'de, F: Format<T>, T> Visitor<'de> for ListVisitor<F, T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element_seed(Seed::<F, T>::new())? {
                    out.push(item);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(ListVisitor::<F, T>(PhantomData))
    }
}

impl<F: Format<T>, T> Format<HashMap<String, T>> for Map<F> {
    fn serialize<S: Serializer>(value: &HashMap<String, T>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(value.len()))?;
        for (key, item) in value {
            map.serialize_entry(key, &With::<F, T>(item, PhantomData))?;
        }
        map.end()
    }

    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<HashMap<String, T>, D::Error> {
        struct MapVisitor<F, T>(PhantomData<(F, T)>);
        impl<'de, F: Format<T>, T> Visitor<'de> for MapVisitor<F, T> {
            type Value = HashMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<HashMap<String, T>, A::Error> {
                let mut out = HashMap::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value_seed(Seed::<F, T>::new())?;
                    out.insert(key, value);
                }
                Ok(out)
            }
        }
        d.deserialize_map(MapVisitor::<F, T>(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Floats {
        #[serde(
            serialize_with = "serialize::<Opt<Float>, _, _>",
            deserialize_with = "deserialize::<Opt<Float>, _, _>",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        value: Option<f64>,
        #[serde(
            serialize_with = "serialize::<Opt<Map<Opt<List<Float>>>>, _, _>",
            deserialize_with = "deserialize::<Opt<Map<Opt<List<Float>>>>, _, _>",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        nested: Option<HashMap<String, Option<Vec<f32>>>>,
    }

    #[test]
    fn floats_use_strings_for_non_finite_values() {
        let nan = serde_json::to_string(&Floats {
            value: Some(f64::NAN),
            nested: None,
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
        assert_eq!(
            serde_json::from_str::<Floats>(r#"{"value":2}"#)
                .unwrap()
                .value,
            Some(2.0)
        );
        assert_eq!(serde_json::from_str::<Floats>("{}").unwrap().value, None);
        assert_eq!(
            serde_json::from_str::<Floats>(r#"{"value":null}"#)
                .unwrap()
                .value,
            None
        );
        assert!(serde_json::from_str::<Floats>(r#"{"value":"lots"}"#).is_err());
    }

    #[test]
    fn formats_apply_inside_lists_and_maps() {
        let text = r#"{"nested":{"a":[1.5,"Infinity"],"b":null}}"#;
        let floats: Floats = serde_json::from_str(text).unwrap();
        let nested = floats.nested.as_ref().unwrap();
        assert_eq!(nested["a"], Some(vec![1.5, f32::INFINITY]));
        assert_eq!(nested["b"], None);
        let again = serde_json::to_value(&floats).unwrap();
        assert_eq!(
            again,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );

        let times = vec![
            DateTime::from_secs(0),
            DateTime::from_secs_and_nanos(1, 500_000_000),
        ];
        let mut out = Vec::new();
        List::<Iso8601>::serialize(&times, &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"["1970-01-01T00:00:00Z","1970-01-01T00:00:01.5Z"]"#
        );
        let back: Vec<DateTime> = union_value_with::<List<Iso8601>, _, serde_json::Error>(
            "Times",
            serde_json::json!(["1970-01-01T00:00:01.5Z"]),
        )
        .unwrap();
        assert_eq!(back, vec![DateTime::from_secs_and_nanos(1, 500_000_000)]);
        let error = union_value_with::<List<Iso8601>, Vec<DateTime>, serde_json::Error>(
            "Times",
            serde_json::json!(["soon"]),
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with("union member `Times`: "),
            "{error}"
        );
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
