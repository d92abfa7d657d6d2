//! `#[derive(FromArg)]` for the request models of the `kontext-management` crate.
//!
//! The SDK's bindings hand every call's arguments over as JSON. serde's derived `Deserialize`
//! would decode them, but it compiles a map visitor per model and per deserializer, and those
//! visitors were a sixth of the WebAssembly engine. The impl generated here is one short call per
//! field into a few shared, generic helpers (`kontext_management::args`). It reads the model's own
//! `#[serde(...)]` attributes, so each model is still declared once, and both decoders agree on
//! wire names and defaults:
//!
//! - container: `rename_all = "camelCase"`, `deny_unknown_fields`;
//! - field: `rename = "..."`, `default`, `flatten` (the map that keeps unknown fields),
//!   `skip_deserializing` (always the default).
//!
//! Unknown fields are ignored unless a `flatten` map keeps them or `deny_unknown_fields` makes
//! them an error, as with serde. Errors name the field and its path, never the offending value.
//!
//! `#[derive(Describe)]` (used only with the `kontext-management` crate's `describe` feature) reads the same
//! attributes and the doc comments into a `crate::describe::ModelDesc`: what the code generator
//! (`tools/codegen`) turns into the Python and TypeScript models.

use proc_macro::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input};

/// Implements `crate::args::FromArg` for a struct with named fields (inside the `kontext-management` crate).
#[proc_macro_derive(FromArg)]
pub fn derive_from_arg(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

#[derive(Default)]
struct FieldAttrs {
    rename: Option<String>,
    default: bool,
    flatten: bool,
    skip: bool,
    /// `skip_serializing_if = "..."`: an absent value is left out of the JSON.
    skip_if: bool,
    /// `skip_serializing`: never written (sent some other way, e.g. as a header).
    skip_serializing: bool,
}

/// Implements `crate::describe::DescribeModel` and `Describe` for a struct with named fields
/// (inside the `kontext-management` crate, behind its `describe` feature).
#[proc_macro_derive(Describe)]
pub fn derive_describe(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_describe(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// The text of the `///` comments among `attrs`, lines joined with `\n`, each without the space after `///`.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').unwrap_or(&line).trim_end().to_owned());
        }
    }
    lines.join("\n").trim().to_owned()
}

fn expand_describe(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "Describe is derived for structs only"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(input, "Describe needs named fields"));
    };
    let (camel_case, _) = container_attrs(input)?;
    let mut entries = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let attrs = field_attrs(field)?;
        // The flattened map holds unknown fields: not a field of the model's description.
        if attrs.flatten || attrs.skip {
            continue;
        }
        let rust_name = ident.to_string();
        let rust_name = rust_name.strip_prefix("r#").unwrap_or(&rust_name).to_owned();
        let wire = attrs
            .rename
            .clone()
            .unwrap_or_else(|| if camel_case { to_camel_case(&rust_name) } else { rust_name.clone() });
        let doc = doc_text(&field.attrs);
        let ty = &field.ty;
        let (default, skip_if, skip_serializing) = (attrs.default, attrs.skip_if, attrs.skip_serializing);
        entries.push(quote! {
            crate::describe::FieldDesc {
                rust: #rust_name,
                wire: #wire,
                doc: #doc,
                ty: <#ty as crate::describe::Describe>::ty(),
                default: #default,
                skip_if_absent: #skip_if,
                skip_serializing: #skip_serializing,
            },
        });
    }
    let name = &input.ident;
    let name_text = name.to_string();
    let doc = doc_text(&input.attrs);
    // The line of the struct's name: the models' order in their file.
    let line = quote::quote_spanned!(name.span()=> line!());
    Ok(quote! {
        impl crate::describe::DescribeModel for #name {
            fn describe() -> crate::describe::ModelDesc {
                crate::describe::ModelDesc {
                    name: #name_text,
                    module: module_path!(),
                    line: #line,
                    doc: #doc,
                    fields: vec![#(#entries)*],
                }
            }
        }

        impl crate::describe::Describe for #name {
            fn ty() -> crate::describe::Ty {
                crate::describe::Ty::Model(#name_text, <Self as crate::describe::DescribeModel>::describe)
            }
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "FromArg is derived for structs only"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(input, "FromArg needs named fields"));
    };
    let (camel_case, deny_unknown) = container_attrs(input)?;

    let mut takes = Vec::new();
    let mut blanks = Vec::new();
    let mut rest = None;
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let attrs = field_attrs(field)?;
        blanks.push(quote! { #ident: crate::args::FromArg::blank(), });
        if attrs.flatten {
            rest = Some(ident);
            continue;
        }
        if attrs.skip {
            continue;
        }
        let rust_name = ident.to_string();
        let rust_name = rust_name.strip_prefix("r#").unwrap_or(&rust_name);
        let wire =
            attrs.rename.unwrap_or_else(|| if camel_case { to_camel_case(rust_name) } else { rust_name.to_owned() });
        takes.push(if attrs.default {
            quote! { fields.take_or_default(&mut out.#ident, #wire); }
        } else {
            quote! { fields.take(&mut out.#ident, #wire); }
        });
    }
    // The flattened map gets whatever the named fields left.
    let finish = match rest {
        Some(ident) => quote! { fields.finish_into(&mut out.#ident)?; },
        None if deny_unknown => quote! { fields.finish_strict()?; },
        None => quote! { fields.finish()?; },
    };

    let name = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    // Fields are decoded into a blank value in place, and the first error is kept aside: no
    // early return and no partly built struct per field, so the code per field is one call.
    Ok(quote! {
        impl #impl_generics crate::args::FromArg for #name #type_generics #where_clause {
            fn from_arg(value: ::serde_json::Value, at: crate::args::At<'_>) -> crate::error::Result<Self> {
                let mut fields = crate::args::Fields::new(value, at)?;
                let mut out = <Self as crate::args::FromArg>::blank();
                #(#takes)*
                #finish
                Ok(out)
            }

            fn blank() -> Self {
                Self { #(#blanks)* }
            }
        }
    })
}

/// `rename_all = "camelCase"` and `deny_unknown_fields`.
fn container_attrs(input: &DeriveInput) -> syn::Result<(bool, bool)> {
    let (mut camel, mut deny_unknown) = (false, false);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let style: LitStr = meta.value()?.parse()?;
                match style.value().as_str() {
                    "camelCase" => camel = true,
                    other => {
                        return Err(
                            meta.error(format!("FromArg supports rename_all = \"camelCase\" only, not {other:?}"))
                        );
                    }
                }
            } else if meta.path.is_ident("deny_unknown_fields") {
                deny_unknown = true;
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        })?;
    }
    Ok((camel, deny_unknown))
}

fn field_attrs(field: &syn::Field) -> syn::Result<FieldAttrs> {
    let mut attrs = FieldAttrs::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let name: LitStr = meta.value()?.parse()?;
                attrs.rename = Some(name.value());
            } else if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    return Err(meta.error("FromArg does not support default = \"path\""));
                }
                attrs.default = true;
            } else if meta.path.is_ident("flatten") {
                attrs.flatten = true;
            } else if meta.path.is_ident("skip_deserializing") || meta.path.is_ident("skip") {
                attrs.skip = true;
            } else if meta.path.is_ident("skip_serializing") {
                attrs.skip_serializing = true;
            } else if meta.path.is_ident("skip_serializing_if") {
                let _: syn::Expr = meta.value()?.parse()?;
                attrs.skip_if = true;
            } else if meta.path.is_ident("deserialize_with")
                || meta.path.is_ident("with")
                || meta.path.is_ident("alias")
            {
                return Err(meta.error("FromArg does not support this serde attribute"));
            } else if meta.input.peek(syn::Token![=]) {
                // Serialization-only settings (skip_serializing_if = "...") do not concern decoding.
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        })?;
    }
    Ok(attrs)
}

/// serde's `rename_all = "camelCase"` for a snake_case field name.
fn to_camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
