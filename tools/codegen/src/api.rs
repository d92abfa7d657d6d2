//! The API description loaded once: the methods of `kontext_management::api` and every model and enum they
//! reach, in a stable order (groups in the order the methods first reach them, models in source
//! order within a group).

use std::collections::{BTreeMap, BTreeSet};

use kontext_management::api::{self, ArgKind, Method, Output, Resource, Transport};
use kontext_management::describe::{EnumDesc, ModelDesc, Ty};

pub struct Api {
    pub methods: Vec<Method>,
    pub resources: &'static [Resource],
    /// Groups (`applications`, `traces`, …) in order, each with its enums and models.
    pub groups: Vec<Group>,
    /// Models reached through an argument (callers build them).
    pub inputs: BTreeSet<&'static str>,
    /// Models reached through a result.
    pub outputs: BTreeSet<&'static str>,
}

pub struct Group {
    /// The last segment of the Rust module: `applications`, `service_accounts`.
    pub name: String,
    pub enums: Vec<EnumDesc>,
    pub models: Vec<ModelDesc>,
}

impl Api {
    pub fn load() -> Result<Self, String> {
        let methods = api::methods();
        check(&methods, api::RESOURCES)?;
        let mut walk = Walk::default();
        let mut inputs = BTreeSet::new();
        let mut outputs = BTreeSet::new();
        for method in &methods {
            // Results first: they name the groups in the order a reader meets them.
            match &method.output {
                Output::Nothing => {}
                Output::Model(ty) | Output::Page(ty) => outputs.extend(walk.visit(ty)),
            }
            for arg in &method.args {
                inputs.extend(walk.visit(&arg.ty));
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        for &module in &walk.module_order {
            let name = module.rsplit("::").next().unwrap_or(module).to_owned();
            let mut models: Vec<ModelDesc> = walk.models.values().filter(|m| m.module == module).cloned().collect();
            models.sort_by_key(|m| m.line);
            let enums = walk.enums.iter().filter(|e| e.module == module).cloned().collect();
            groups.push(Group { name, enums, models });
        }
        Ok(Self { methods, resources: api::RESOURCES, groups, inputs, outputs })
    }

    /// The methods of one resource, in order.
    pub fn methods_of<'a>(&'a self, resource: &'a str) -> impl Iterator<Item = &'a Method> + 'a {
        self.methods.iter().filter(move |m| m.resource == resource)
    }

    /// The methods that send an API request.
    pub fn http_methods(&self) -> impl Iterator<Item = &Method> {
        self.methods.iter().filter(|m| matches!(m.transport, Transport::Http(..)))
    }

    /// The SDK-side compositions (`scimTokens.reconcile`, `releases.download`, ...).
    pub fn composite_methods(&self) -> impl Iterator<Item = &Method> {
        self.methods.iter().filter(|m| m.transport == Transport::Composite)
    }

    pub fn model(&self, name: &str) -> &ModelDesc {
        self.groups.iter().flat_map(|g| &g.models).find(|m| m.name == name).expect("every reached model is loaded")
    }
}

/// The model an argument or result names (`None` for plain strings).
pub fn model_name(ty: &Ty) -> Option<&'static str> {
    match ty {
        Ty::Model(name, _) => Some(*name),
        Ty::Option(inner) | Ty::List(inner) | Ty::Map(inner) => model_name(inner),
        _ => None,
    }
}

/// The fields of a `params`/`data` argument's model.
pub fn arg_model<'a>(api: &'a Api, method: &Method, kind: ArgKind) -> Option<&'a ModelDesc> {
    method.args.iter().find(|a| a.kind == kind).and_then(|a| model_name(&a.ty)).map(|name| api.model(name))
}

#[derive(Default)]
struct Walk {
    models: BTreeMap<&'static str, ModelDesc>,
    enums: Vec<EnumDesc>,
    module_order: Vec<&'static str>,
}

impl Walk {
    /// Loads `ty` and everything it refers to; returns the models it reached.
    fn visit(&mut self, ty: &Ty) -> Vec<&'static str> {
        let mut reached = Vec::new();
        self.visit_into(ty, &mut reached);
        reached
    }

    fn visit_into(&mut self, ty: &Ty, reached: &mut Vec<&'static str>) {
        match ty {
            Ty::Option(inner) | Ty::List(inner) | Ty::Map(inner) => self.visit_into(inner, reached),
            Ty::Enum(e) => {
                self.note_module(e.module);
                if !self.enums.iter().any(|known| known.name == e.name) {
                    self.enums.push(e.clone());
                }
            }
            Ty::Model(name, describe) => {
                let name = *name;
                if reached.contains(&name) {
                    return;
                }
                reached.push(name);
                let model = match self.models.get(name) {
                    Some(model) => model.clone(),
                    None => {
                        let model = describe();
                        self.note_module(model.module);
                        self.models.insert(name, model.clone());
                        model
                    }
                };
                for field in &model.fields {
                    self.visit_into(&field.ty, reached);
                }
            }
            Ty::String | Ty::Secret | Ty::Bool | Ty::Int | Ty::Float | Ty::Json => {}
        }
    }

    fn note_module(&mut self, module: &'static str) {
        if !self.module_order.contains(&module) {
            self.module_order.push(module);
        }
    }
}

/// Mistakes in the description that no compiler catches: a name listed twice, path placeholders
/// that are not the path arguments (in order), a paged list without query parameters, an API
/// method without scope or retry class, a resource without methods.
pub fn check(methods: &[Method], resources: &[Resource]) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for m in methods {
        for name in std::iter::once(m.name).chain(m.aliases.iter().copied()) {
            if !names.insert(format!("{}.{name}", m.resource)) {
                return Err(format!("{}.{name} is described twice", m.resource));
            }
        }
        if let Transport::Http(_, path) = m.transport {
            let placeholders: Vec<&str> =
                path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            let path_args: Vec<&str> = m.args.iter().filter(|a| a.kind == ArgKind::Path).map(|a| a.name).collect();
            if placeholders != path_args {
                return Err(format!("{}: path {path} does not match its path arguments {path_args:?}", m.full_name()));
            }
            if m.scope.is_none() || m.retry.is_none() {
                return Err(format!("{}: an API method needs a scope and a retry class", m.full_name()));
            }
        }
        if m.args.iter().any(|a| a.kind == ArgKind::Value) && m.transport != Transport::Composite {
            return Err(format!("{}: only a composite method takes positional values", m.full_name()));
        }
        if m.list_all_drops().is_some() && !m.args.iter().any(|a| a.kind == ArgKind::Query) {
            return Err(format!("{}: a paged list needs query parameters", m.full_name()));
        }
        if m.doc.is_empty() || (m.list_all_drops().is_some() && m.list_all_doc.is_empty()) {
            return Err(format!("{}: every method (and listAll) needs a doc", m.full_name()));
        }
    }
    for r in resources {
        if !methods.iter().any(|m| m.resource == r.name) {
            return Err(format!("resource {} has no methods", r.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_is_consistent() {
        check(&api::methods(), api::RESOURCES).unwrap();
    }

    #[test]
    fn mistakes_in_the_description_are_named() {
        let good = api::methods();
        let mut twice = good.clone();
        twice.push(good[0].clone());
        assert!(check(&twice, api::RESOURCES).unwrap_err().contains("applications.list is described twice"));

        let mut wrong_path = good.clone();
        let get = wrong_path.iter_mut().find(|m| m.full_name() == "applications.get").unwrap();
        get.transport = Transport::Http("GET", "/applications/{applicationId}");
        assert!(check(&wrong_path, api::RESOURCES).unwrap_err().contains("does not match"));

        let mut no_doc = good;
        no_doc[1].doc = "";
        assert!(check(&no_doc, api::RESOURCES).unwrap_err().contains("needs a doc"));
    }

    #[test]
    fn models_come_in_groups_in_source_order() {
        let api = Api::load().unwrap();
        let names: Vec<&str> = api.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names[..2], ["applications", "integrations"]);
        let applications = &api.groups[0].models;
        assert!(applications.windows(2).all(|w| w[0].line < w[1].line));
        assert!(api.outputs.contains("ApplicationOAuth") && !api.outputs.contains("CreateApplication"));
        assert!(api.inputs.contains("CreateApplicationOAuth"));
    }
}
