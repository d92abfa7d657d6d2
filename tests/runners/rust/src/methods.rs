//! The call table of SCHEMA.md: its rows (`call_table.rs`) are generated from the API
//! description (`core/src/api.rs`) by `just codegen`.

/// How a call touches the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only (allowed in `readOnly` scenarios).
    Read,
    /// Changes state.
    Write,
    /// Touches no resource of the organization (token cache, PKCE helpers).
    Local,
}

/// One row of the call table.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    pub name: &'static str,
    pub access: Access,
    /// Cannot fail, so the suite needs no failure case for it.
    pub infallible: bool,
    /// Positional arguments: (required, total).
    pub arity: (usize, usize),
}

/// Every call of the table, in its order (generated from the API description by `just codegen`).
pub use crate::call_table::METHODS;

/// The row of a call, if it is in the table.
pub fn find(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

/// `true` for the collecting `*.listAll` calls.
pub fn is_list_all(name: &str) -> bool {
    name.ends_with(".listAll")
}
