//! Enums that keep working when the server adds a value.

/// Declares a string enum whose unknown wire values decode to `Unknown(String)` instead of
/// failing, so an older SDK keeps working against a newer server. Serializes back to the exact
/// wire string.
///
/// ```ignore
/// open_enum! {
///     /// How an integration authenticates.
///     pub enum AuthMode {
///         Oauth => "oauth",
///         None => "none",
///     }
/// }
/// ```
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know yet.
            Unknown(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(other) => other.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl crate::args::FromArg for $name {
            fn from_arg(value: ::serde_json::Value, at: crate::args::At<'_>) -> crate::error::Result<Self> {
                let s = <::std::string::String as crate::args::FromArg>::from_arg(value, at)?;
                Ok(s.parse().unwrap_or_else(|never| match never {}))
            }

            fn blank() -> Self {
                Self::Unknown(::std::string::String::new())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
                Ok(s.parse().unwrap_or_else(|never| match never {}))
            }
        }

        #[cfg(feature = "describe")]
        impl crate::describe::Describe for $name {
            fn ty() -> crate::describe::Ty {
                crate::describe::Ty::Enum(crate::describe::EnumDesc {
                    name: stringify!($name),
                    module: module_path!(),
                    values: &[$($wire),+],
                })
            }
        }
    };
}

pub(crate) use open_enum;
