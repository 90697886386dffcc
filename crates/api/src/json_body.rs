//! The JSON body extractor: [`web::Json`] with one rule more. A body read into a struct must be
//! a JSON object. serde reads a struct from a sequence too (`[null, null]` fills the fields in
//! order), which no client means and the document forbids; here a struct asks the JSON
//! deserializer for a map only, so a sequence is the usual 422. Bodies that are lists
//! (`Vec<T>`) still read lists.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::{Deserialize, DeserializeOwned, Deserializer, Visitor};

/// A JSON request body; see the module documentation.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// `T` read through [`ObjectOnly`].
struct Objects<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Objects<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(ObjectOnly(deserializer)).map(Objects)
    }
}

/// Reads `T` from JSON bytes with the same rule (for bodies a handler reads itself).
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice::<Objects<T>>(body).map(|o| o.0)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let inner = web::Json::<Objects<T>>::from_request(req, payload);
        Box::pin(async move { inner.await.map(|json| Json(json.into_inner().0)) })
    }
}

/// A deserializer that answers a struct request with a map request.
struct ObjectOnly<D>(D);

macro_rules! forward {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(visitor)
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    /// The one change: a struct is read from a map only.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Body {
        a: Option<i32>,
        b: Option<String>,
    }

    #[test]
    fn a_struct_is_read_from_an_object_only() {
        let ok: Body = from_slice(br#"{"a": 1}"#).unwrap();
        assert_eq!(
            ok,
            Body {
                a: Some(1),
                b: None
            }
        );
        let err = from_slice::<Body>(b"[null, null]").unwrap_err();
        assert!(err.is_data(), "{err}");
        assert!(
            err.to_string().starts_with("invalid type: sequence"),
            "{err}"
        );
        // serde_json alone accepts it: the rule is ours.
        assert!(serde_json::from_slice::<Body>(b"[null, null]").is_ok());
    }

    #[test]
    fn a_list_body_still_reads_a_list_of_objects() {
        let ok: Vec<Body> = from_slice(br#"[{"a": 1}, {"b": "x"}]"#).unwrap();
        assert_eq!(ok.len(), 2);
    }
}
