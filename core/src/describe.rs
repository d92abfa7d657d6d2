//! What the API description is made of: models (from `#[derive(Describe)]` on the serde models,
//! so field names, types and docs are declared once, in Rust) and methods ([`crate::api`]).
//!
//! Compiled only with the `describe` feature, which only the code generator (`tools/codegen`)
//! enables: the SDK itself, its bindings and its WebAssembly build never carry any of this.

#![allow(missing_docs)] // Plain data; the names say what each part holds.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// The type of a field or argument, as far as another language needs to know it.
#[derive(Debug, Clone)]
pub enum Ty {
    String,
    /// A string that is a secret: redacted in every representation.
    Secret,
    Bool,
    /// A whole number.
    Int,
    Float,
    /// Any JSON value, passed through as given.
    Json,
    /// A JSON object with values of one type (`{[key: string]: T}`).
    Map(Box<Ty>),
    List(Box<Ty>),
    /// May be absent (or `null`).
    Option(Box<Ty>),
    /// An open string enum: these values, or any other the server may add.
    Enum(EnumDesc),
    /// A model, described on demand (models may refer to each other).
    Model(&'static str, fn() -> ModelDesc),
}

/// An open string enum ([`crate::models`]' `open_enum!`).
#[derive(Debug, Clone)]
pub struct EnumDesc {
    pub name: &'static str,
    pub module: &'static str,
    pub values: &'static [&'static str],
}

/// One model: a struct of `crate::models`.
#[derive(Debug, Clone)]
pub struct ModelDesc {
    pub name: &'static str,
    /// `kontext_management::models::applications`: which group of models it belongs to.
    pub module: &'static str,
    /// Where it is declared in its file (keeps the generated models in source order).
    pub line: u32,
    pub doc: &'static str,
    pub fields: Vec<FieldDesc>,
}

/// One field of a model (the map of unknown fields is not one).
#[derive(Debug, Clone)]
pub struct FieldDesc {
    /// The Rust name (snake case, without `r#`).
    pub rust: &'static str,
    /// The name on the wire.
    pub wire: &'static str,
    pub doc: &'static str,
    pub ty: Ty,
    /// `#[serde(default)]`: may be absent when decoding.
    pub default: bool,
    /// `skip_serializing_if`: left out when absent. An `Option` field without it is always
    /// written, as `null` when absent.
    pub skip_if_absent: bool,
    /// Never written into the JSON body (e.g. an ETag sent as `If-Match`).
    pub skip_serializing: bool,
}

impl FieldDesc {
    /// `Option<T>`: the caller may leave it out.
    pub fn optional(&self) -> bool {
        matches!(self.ty, Ty::Option(_))
    }

    /// `Option<T>` written as `null` when absent (a result field that is present but may be null).
    pub fn nullable(&self) -> bool {
        self.optional() && !self.skip_if_absent && !self.skip_serializing
    }
}

/// A type that can describe itself.
pub trait Describe {
    fn ty() -> Ty;
}

/// A model (implemented by `#[derive(Describe)]`).
pub trait DescribeModel {
    fn describe() -> ModelDesc;
}

macro_rules! plain {
    ($($t:ty => $ty:expr),* $(,)?) => {
        $(impl Describe for $t {
            fn ty() -> Ty {
                $ty
            }
        })*
    };
}

plain! {
    String => Ty::String,
    crate::Secret => Ty::Secret,
    bool => Ty::Bool,
    u32 => Ty::Int,
    u64 => Ty::Int,
    i64 => Ty::Int,
    f64 => Ty::Float,
    Value => Ty::Json,
    Map<String, Value> => Ty::Map(Box::new(Ty::Json)),
}

impl<T: Describe> Describe for Option<T> {
    fn ty() -> Ty {
        Ty::Option(Box::new(T::ty()))
    }
}

impl<T: Describe> Describe for Vec<T> {
    fn ty() -> Ty {
        Ty::List(Box::new(T::ty()))
    }
}

impl<T: Describe> Describe for BTreeMap<String, T> {
    fn ty() -> Ty {
        Ty::Map(Box::new(T::ty()))
    }
}
