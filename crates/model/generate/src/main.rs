//! Generates the typed FHIR R4 structs of `medrec-model` from the official FHIR R4 (4.0.1) JSON Schema.
//!
//! Usage (from the workspace root):
//!
//! ```text
//! cargo run --manifest-path crates/model/generate/Cargo.toml            # rewrite the generated files
//! cargo run --manifest-path crates/model/generate/Cargo.toml -- --check # fail if they are out of date
//! ```
//!
//! The schema is read from `$MEDREC_DATA/fhir-schema/fhir.r4.schema.json` (default: the checkout's
//! sibling `../shared/data`). Output: `crates/model/src/datatypes/generated.rs`,
//! `crates/model/src/resources/generated.rs`, `crates/model/src/resource_generated.rs`, each passed
//! through `rustfmt`.
//!
//! What the schema does not say and this generator adds by hand:
//! - which `[x]` elements form one choice (grouped by identical description + type-name suffix);
//! - the minimum cardinality of primitive and choice elements (`EXTRA_REQUIRED`, from the R4 spec
//!   pages of each resource; the schema's `required` only lists complex elements).

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The resources typed by medrec-model (the ones health information management touches).
const RESOURCES: &[&str] = &[
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "Encounter",
    "EpisodeOfCare",
    "Condition",
    "Procedure",
    "Observation",
    "DiagnosticReport",
    "DocumentReference",
    "Composition",
    "MedicationRequest",
    "MedicationAdministration",
    "Immunization",
    "AllergyIntolerance",
    "CarePlan",
    "CareTeam",
    "Claim",
    "ExplanationOfBenefit",
    "Coverage",
    "Consent",
    "AuditEvent",
    "Provenance",
    "Bundle",
];

/// Primitive (and choice) elements with minimum cardinality 1 in FHIR R4 4.0.1, which the JSON
/// schema cannot express in `required` (a primitive may be present as `_name` only). Source: the
/// R4 resource and datatype pages (hl7.org/fhir/R4), element by element.
const EXTRA_REQUIRED: &[&str] = &[
    "Narrative.status",
    "Extension.url",
    "Annotation.text",
    "SampledData.period",
    "SampledData.dimensions",
    "Signature.when",
    "Contributor.type",
    "Contributor.name",
    "DataRequirement.type",
    "DataRequirement_Sort.path",
    "DataRequirement_Sort.direction",
    "Expression.language",
    "ParameterDefinition.use",
    "ParameterDefinition.type",
    "RelatedArtifact.type",
    "TriggerDefinition.type",
    "UsageContext.value",
    "Patient_Link.type",
    "PractitionerRole_NotAvailable.description",
    "Location_Position.longitude",
    "Location_Position.latitude",
    "Encounter.status",
    "Encounter_StatusHistory.status",
    "EpisodeOfCare.status",
    "EpisodeOfCare_StatusHistory.status",
    "Procedure.status",
    "Observation.status",
    "DiagnosticReport.status",
    "DocumentReference.status",
    "DocumentReference_RelatesTo.code",
    "Composition.status",
    "Composition.date",
    "Composition.title",
    "Composition_Attester.mode",
    "Composition_RelatesTo.code",
    "Composition_RelatesTo.target",
    "MedicationRequest.status",
    "MedicationRequest.intent",
    "MedicationRequest.medication",
    "MedicationRequest_Substitution.allowed",
    "MedicationAdministration.status",
    "MedicationAdministration.medication",
    "MedicationAdministration.effective",
    "Immunization.status",
    "Immunization.occurrence",
    "Immunization_ProtocolApplied.doseNumber",
    "CarePlan.status",
    "CarePlan.intent",
    "CarePlan_Detail.status",
    "Claim.status",
    "Claim.use",
    "Claim.created",
    "Claim_CareTeam.sequence",
    "Claim_SupportingInfo.sequence",
    "Claim_Diagnosis.sequence",
    "Claim_Diagnosis.diagnosis",
    "Claim_Procedure.sequence",
    "Claim_Procedure.procedure",
    "Claim_Insurance.sequence",
    "Claim_Insurance.focal",
    "Claim_Accident.date",
    "Claim_Item.sequence",
    "Claim_Detail.sequence",
    "Claim_SubDetail.sequence",
    "ExplanationOfBenefit.status",
    "ExplanationOfBenefit.use",
    "ExplanationOfBenefit.created",
    "ExplanationOfBenefit.outcome",
    "ExplanationOfBenefit_CareTeam.sequence",
    "ExplanationOfBenefit_SupportingInfo.sequence",
    "ExplanationOfBenefit_Diagnosis.sequence",
    "ExplanationOfBenefit_Diagnosis.diagnosis",
    "ExplanationOfBenefit_Procedure.sequence",
    "ExplanationOfBenefit_Procedure.procedure",
    "ExplanationOfBenefit_Insurance.focal",
    "ExplanationOfBenefit_Item.sequence",
    "ExplanationOfBenefit_Detail.sequence",
    "ExplanationOfBenefit_SubDetail.sequence",
    "Coverage.status",
    "Coverage_Class.value",
    "Coverage_CostToBeneficiary.value",
    "Consent.status",
    "Consent_Verification.verified",
    "Consent_Data.meaning",
    "AuditEvent.recorded",
    "AuditEvent_Agent.requestor",
    "AuditEvent_Detail.type",
    "AuditEvent_Detail.value",
    "Provenance.recorded",
    "Bundle.type",
    "Bundle_Link.relation",
    "Bundle_Link.url",
    "Bundle_Request.method",
    "Bundle_Request.url",
    "Bundle_Response.status",
];

/// Types with hand-written invariants in `crates/model/src/validate/invariants.rs`.
const HAND_INVARIANTS: &[&str] = &[
    "Extension",
    "Period",
    "Reference",
    "Quantity",
    "Observation",
    "Patient",
    "Bundle",
    "Attachment",
    "Narrative",
    "Coding",
];

const PRIMITIVES: &[&str] = &[
    "base64Binary",
    "boolean",
    "canonical",
    "code",
    "date",
    "dateTime",
    "decimal",
    "id",
    "instant",
    "integer",
    "markdown",
    "oid",
    "positiveInt",
    "string",
    "time",
    "unsignedInt",
    "uri",
    "url",
    "uuid",
    "xhtml",
];

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
    "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

#[derive(Clone, Debug)]
enum Ty {
    Prim(String),
    Struct(String),
    Resource,
}

#[derive(Clone, Debug)]
struct Field {
    json: String,
    rust: String,
    ty: Ty,
    many: bool,
    has_ext: bool,
    codes: Option<Vec<String>>,
    doc: String,
    required: bool,
    boxed: bool,
}

#[derive(Clone, Debug)]
struct Variant {
    suffix: String,
    ty: Ty,
    has_ext: bool,
    boxed: bool,
}

#[derive(Clone, Debug)]
struct Choice {
    base: String,
    rust: String,
    enum_name: String,
    variants: Vec<Variant>,
    doc: String,
    required: bool,
}

#[derive(Clone, Debug)]
enum Item {
    Field(Field),
    Choice(Choice),
}

#[derive(Clone, Debug)]
struct Def {
    schema: String,
    rust: String,
    resource: bool,
    doc: String,
    items: Vec<Item>,
}

fn rust_type_name(schema: &str) -> String {
    schema.replace('_', "")
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The Rust name of the `_x` companion of element `x`.
fn ext_name(rust: &str) -> String {
    format!("{}_ext", rust.trim_end_matches('_'))
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn doc_line(desc: &str) -> String {
    let one = desc.split_whitespace().collect::<Vec<_>>().join(" ");
    let one = one
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'");
    if one.is_empty() { "(no description)".to_string() } else { one }
}

fn ref_name(v: &Value) -> Option<String> {
    v.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.trim_start_matches("#/definitions/").to_string())
}

fn ty_of_ref(name: &str) -> Ty {
    if name == "ResourceList" {
        Ty::Resource
    } else if PRIMITIVES.contains(&name) {
        Ty::Prim(name.to_string())
    } else {
        Ty::Struct(name.to_string())
    }
}

/// The FHIR type named by a choice suffix (`DateTime` → `dateTime`, `Quantity` → `Quantity`).
fn suffix_type(suffix: &str, defs: &Map<String, Value>) -> Option<Ty> {
    let lower = lower_first(suffix);
    if PRIMITIVES.contains(&lower.as_str()) {
        return Some(Ty::Prim(lower));
    }
    if defs.contains_key(suffix) && !suffix.contains('_') {
        return Some(Ty::Struct(suffix.to_string()));
    }
    None
}

fn build_def(schema: &str, defs: &Map<String, Value>, resource: bool) -> Def {
    let d = &defs[schema];
    let props = d["properties"].as_object().expect("properties");
    let required: BTreeSet<String> = d
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default();
    let extra_required: BTreeSet<String> = EXTRA_REQUIRED
        .iter()
        .filter_map(|s| s.strip_prefix(&format!("{schema}.")).map(String::from))
        .collect();

    // Choice detection: names `base + TypeSuffix` sharing a description with at least one sibling.
    let mut choice_of: HashMap<String, (String, String)> = HashMap::new(); // prop -> (base, suffix)
    let mut candidates: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for (p, pv) in props {
        if p.starts_with('_') || p == "resourceType" {
            continue;
        }
        let desc = pv.get("description").and_then(Value::as_str).unwrap_or("");
        for (i, c) in p.char_indices() {
            if i == 0 || !c.is_ascii_uppercase() {
                continue;
            }
            let (base, suffix) = p.split_at(i);
            // Choice elements are never arrays (`reasonCode` + `reasonReference` are two elements).
            if suffix_type(suffix, defs).is_some() && pv.get("items").is_none() {
                candidates
                    .entry((base.to_string(), desc.to_string()))
                    .or_default()
                    .push((p.clone(), suffix.to_string()));
            }
        }
    }
    for ((base, _), members) in &candidates {
        // A single `fooBar` is an ordinary element, not a choice.
        if members.len() < 2 {
            continue;
        }
        for (p, suffix) in members {
            let previous = choice_of.insert(p.clone(), (base.clone(), suffix.clone()));
            assert!(previous.is_none(), "{schema}.{p} is in two choices");
        }
    }

    let mut items: Vec<Item> = Vec::new();
    let mut choice_index: HashMap<String, usize> = HashMap::new();
    for (p, pv) in props {
        if p.starts_with('_') || p == "resourceType" {
            continue;
        }
        let desc = pv.get("description").and_then(Value::as_str).unwrap_or("");
        let has_ext = props.contains_key(&format!("_{p}"));
        if let Some((base, suffix)) = choice_of.get(p) {
            let ty = suffix_type(suffix, defs).expect("choice type");
            let v = Variant { suffix: suffix.clone(), ty, has_ext, boxed: false };
            if let Some(&ix) = choice_index.get(base) {
                if let Item::Choice(c) = &mut items[ix] {
                    c.variants.push(v);
                }
            } else {
                choice_index.insert(base.clone(), items.len());
                items.push(Item::Choice(Choice {
                    base: base.clone(),
                    rust: snake(base),
                    enum_name: format!("{}{}", rust_type_name(schema), upper_first(base)),
                    variants: vec![v],
                    doc: doc_line(desc),
                    required: extra_required.contains(base) || required.contains(base),
                }));
            }
            continue;
        }
        let (ty, many, codes) = if let Some(items_v) = pv.get("items") {
            if let Some(r) = ref_name(items_v) {
                (ty_of_ref(&r), true, None)
            } else if let Some(e) = items_v.get("enum") {
                let codes = e.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
                (Ty::Prim("code".into()), true, Some(codes))
            } else {
                panic!("{schema}.{p}: unknown items {items_v}");
            }
        } else if let Some(r) = ref_name(pv) {
            (ty_of_ref(&r), false, None)
        } else if let Some(e) = pv.get("enum") {
            let codes = e.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            (Ty::Prim("code".into()), false, Some(codes))
        } else {
            panic!("{schema}.{p}: cannot type {pv}");
        };
        items.push(Item::Field(Field {
            json: p.clone(),
            rust: snake(p),
            ty,
            many,
            has_ext,
            codes,
            doc: doc_line(desc),
            required: required.contains(p) || extra_required.contains(p),
            boxed: false,
        }));
    }
    for r in &extra_required {
        let found = items.iter().any(|i| match i {
            Item::Field(f) => &f.json == r,
            Item::Choice(c) => &c.base == r,
        });
        assert!(found, "EXTRA_REQUIRED {schema}.{r} matches no element");
    }
    for i in &items {
        let name = match i {
            Item::Field(f) => &f.rust,
            Item::Choice(c) => &c.rust,
        };
        assert!(name != "unknown", "{schema} has an element named `unknown`");
    }
    Def {
        schema: schema.to_string(),
        rust: rust_type_name(schema),
        resource,
        doc: doc_line(d.get("description").and_then(Value::as_str).unwrap_or("")),
        items,
    }
}

fn struct_deps(def: &Def) -> Vec<String> {
    let mut out = Vec::new();
    for i in &def.items {
        match i {
            Item::Field(f) => {
                if let Ty::Struct(s) = &f.ty {
                    out.push(s.clone());
                }
            }
            Item::Choice(c) => {
                for v in &c.variants {
                    if let Ty::Struct(s) = &v.ty {
                        out.push(s.clone());
                    }
                }
            }
        }
        if let Item::Field(f) = i {
            if f.has_ext {
                out.push("Element".into());
            }
        }
    }
    out.push("Element".into());
    out.push("Extension".into());
    out
}

/// Breaks infinite-size cycles: a non-`Vec` edge A → B that closes a cycle of inline fields is boxed.
fn box_cycles(defs: &mut BTreeMap<String, Def>, order: &[String]) {
    // Edges: (from def, item index, variant index or usize::MAX) -> target def.
    fn inline_edges(def: &Def) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        for (ix, i) in def.items.iter().enumerate() {
            match i {
                Item::Field(f) if !f.many => {
                    if let Ty::Struct(s) = &f.ty {
                        out.push((ix, usize::MAX, s.clone()));
                    }
                }
                Item::Choice(c) => {
                    for (vx, v) in c.variants.iter().enumerate() {
                        if let Ty::Struct(s) = &v.ty {
                            out.push((ix, vx, s.clone()));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
    let mut state: HashMap<String, u8> = HashMap::new(); // 1 on stack, 2 done
    let mut to_box: Vec<(String, usize, usize)> = Vec::new();
    fn dfs(
        n: &str,
        defs: &BTreeMap<String, Def>,
        state: &mut HashMap<String, u8>,
        to_box: &mut Vec<(String, usize, usize)>,
    ) {
        state.insert(n.to_string(), 1);
        let edges = inline_edges(&defs[n]);
        for (ix, vx, target) in edges {
            match state.get(&target).copied() {
                Some(1) => to_box.push((n.to_string(), ix, vx)),
                Some(_) => {}
                None => dfs(&target, defs, state, to_box),
            }
        }
        state.insert(n.to_string(), 2);
    }
    for n in order {
        if !state.contains_key(n) {
            dfs(n, defs, &mut state, &mut to_box);
        }
    }
    for (n, ix, vx) in to_box {
        let def = defs.get_mut(&n).unwrap();
        match &mut def.items[ix] {
            Item::Field(f) => f.boxed = true,
            Item::Choice(c) => c.variants[vx].boxed = true,
        }
    }
}

fn prim_rust(p: &str) -> &'static str {
    match p {
        "boolean" => "bool",
        "integer" => "i32",
        "positiveInt" | "unsignedInt" => "u32",
        "decimal" => "Decimal",
        "date" => "Date",
        "dateTime" => "DateTime",
        "instant" => "Instant",
        "time" => "Time",
        _ => "String",
    }
}

fn prim_kind(p: &str) -> String {
    format!("Kind::{}", upper_first(p))
}

fn ty_rust(ty: &Ty) -> String {
    match ty {
        Ty::Prim(p) => prim_rust(p).to_string(),
        Ty::Struct(s) => rust_type_name(s),
        Ty::Resource => "Resource".to_string(),
    }
}

fn field_type(f: &Field) -> String {
    let base = ty_rust(&f.ty);
    match (&f.ty, f.many) {
        (Ty::Prim(_), true) => format!("Vec<Option<{base}>>"),
        (_, true) => format!("Vec<{base}>"),
        (_, false) if f.boxed => format!("Option<Box<{base}>>"),
        (_, false) => format!("Option<{base}>"),
    }
}

fn variant_type(v: &Variant) -> String {
    let base = ty_rust(&v.ty);
    if v.boxed { format!("Box<{base}>") } else { base }
}

fn gen_def(def: &Def, out: &mut String) {
    let name = &def.rust;
    // Choice enums first.
    for i in &def.items {
        if let Item::Choice(c) = i {
            writeln!(out, "/// Choice of types for `{}.{}[x]`: {}", def.schema.replace('_', "."), c.base, c.doc).unwrap();
            writeln!(out, "#[derive(Debug, Clone, PartialEq)]").unwrap();
            writeln!(out, "#[allow(clippy::large_enum_variant)]").unwrap();
            writeln!(out, "pub enum {} {{", c.enum_name).unwrap();
            for v in &c.variants {
                writeln!(out, "    /// `{}{}`.", c.base, v.suffix).unwrap();
                writeln!(out, "    {}({}),", v.suffix, variant_type(v)).unwrap();
            }
            writeln!(out, "}}\n").unwrap();
            writeln!(out, "impl {} {{", c.enum_name).unwrap();
            writeln!(out, "    /// The JSON element name of this choice (e.g. `valueQuantity`).").unwrap();
            writeln!(out, "    pub fn element_name(&self) -> &'static str {{").unwrap();
            writeln!(out, "        match self {{").unwrap();
            for v in &c.variants {
                writeln!(out, "            Self::{}(_) => \"{}{}\",", v.suffix, c.base, v.suffix).unwrap();
            }
            writeln!(out, "        }}\n    }}\n}}\n").unwrap();
        }
    }
    // Struct.
    writeln!(out, "/// {} (FHIR `{}`).", def.doc, def.schema.replace('_', ".")).unwrap();
    writeln!(out, "#[derive(Debug, Clone, Default, PartialEq)]").unwrap();
    writeln!(out, "pub struct {name} {{").unwrap();
    for i in &def.items {
        match i {
            Item::Field(f) => {
                let req = if f.required { " Required (min 1)." } else { "" };
                writeln!(out, "    /// {}{req} JSON `{}`.", f.doc, f.json).unwrap();
                writeln!(out, "    pub {}: {},", f.rust, field_type(f)).unwrap();
                if f.has_ext {
                    writeln!(out, "    /// Id and extensions of `{}` (JSON `_{}`).", f.json, f.json).unwrap();
                    if f.many {
                        writeln!(out, "    pub {}: Vec<Option<Element>>,", ext_name(&f.rust)).unwrap();
                    } else {
                        writeln!(out, "    pub {}: Option<Box<Element>>,", ext_name(&f.rust)).unwrap();
                    }
                }
            }
            Item::Choice(c) => {
                let req = if c.required { " Required (min 1)." } else { "" };
                writeln!(out, "    /// {}{req} JSON `{}[x]`.", c.doc, c.base).unwrap();
                writeln!(out, "    pub {}: Option<{}>,", c.rust, c.enum_name).unwrap();
                if c.variants.iter().any(|v| v.has_ext) {
                    writeln!(
                        out,
                        "    /// Id and extensions of a primitive `{}[x]` (JSON `_{}String`, `_{}DateTime` …).",
                        c.base, c.base, c.base
                    )
                    .unwrap();
                    writeln!(out, "    pub {}: Option<Box<ChoiceElement>>,", ext_name(&c.rust)).unwrap();
                }
            }
        }
    }
    writeln!(out, "    /// Elements FHIR R4 does not define here, kept verbatim by lenient parsing.").unwrap();
    writeln!(out, "    pub unknown: UnknownElements,").unwrap();
    writeln!(out, "}}\n").unwrap();

    // Deserialize.
    writeln!(out, "impl de::FhirObject for {name} {{").unwrap();
    writeln!(out, "    const TYPE_NAME: &'static str = \"{}\";", def.schema.replace('_', ".")).unwrap();
    writeln!(
        out,
        "    fn visit_element<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {{"
    )
    .unwrap();
    writeln!(out, "        match key {{").unwrap();
    if def.resource {
        writeln!(out, "            \"resourceType\" => de::resource_type(map, \"{}\")?,", def.schema).unwrap();
    }
    for i in &def.items {
        match i {
            Item::Field(f) => {
                let func = if f.many { "many" } else { "single" };
                writeln!(out, "            \"{}\" => de::{func}(&mut self.{}, map, \"{}\")?,", f.json, f.rust, f.json).unwrap();
                if f.has_ext {
                    writeln!(
                        out,
                        "            \"_{}\" => de::{func}(&mut self.{}, map, \"_{}\")?,",
                        f.json, ext_name(&f.rust), f.json
                    )
                    .unwrap();
                }
            }
            Item::Choice(c) => {
                for v in &c.variants {
                    let ctor = if v.boxed {
                        format!("|v| {}::{}(Box::new(v))", c.enum_name, v.suffix)
                    } else {
                        format!("{}::{}", c.enum_name, v.suffix)
                    };
                    writeln!(
                        out,
                        "            \"{}{}\" => de::choice(&mut self.{}, map, \"{}[x]\", {ctor})?,",
                        c.base, v.suffix, c.rust, c.base
                    )
                    .unwrap();
                    if v.has_ext {
                        writeln!(
                            out,
                            "            \"_{}{}\" => de::choice_ext(&mut self.{}, map, \"_{}{}\")?,",
                            c.base, v.suffix, ext_name(&c.rust), c.base, v.suffix
                        )
                        .unwrap();
                    }
                }
            }
        }
    }
    writeln!(out, "            _ => return Ok(false),").unwrap();
    writeln!(out, "        }}\n        Ok(true)\n    }}").unwrap();
    writeln!(out, "    fn unknown_mut(&mut self) -> &mut UnknownElements {{ &mut self.unknown }}").unwrap();
    writeln!(out, "}}\n").unwrap();
    writeln!(out, "impl<'de> Deserialize<'de> for {name} {{").unwrap();
    writeln!(out, "    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {{ de::deserialize_object(d) }}").unwrap();
    writeln!(out, "}}\n").unwrap();

    // Serialize.
    writeln!(out, "impl ser::FhirObjectSer for {name} {{").unwrap();
    writeln!(out, "    fn serialize_elements<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {{").unwrap();
    if def.resource {
        writeln!(out, "        m.serialize_entry(\"resourceType\", \"{}\")?;", def.schema).unwrap();
    }
    for i in &def.items {
        match i {
            Item::Field(f) => {
                let func = if f.many { "many" } else { "single" };
                writeln!(out, "        ser::{func}(m, \"{}\", &self.{})?;", f.json, f.rust).unwrap();
                if f.has_ext {
                    writeln!(out, "        ser::{func}(m, \"_{}\", &self.{})?;", f.json, ext_name(&f.rust)).unwrap();
                }
            }
            Item::Choice(c) => {
                writeln!(out, "        if let Some(v) = &self.{} {{", c.rust).unwrap();
                writeln!(out, "            match v {{").unwrap();
                for v in &c.variants {
                    writeln!(
                        out,
                        "                {}::{}(x) => m.serialize_entry(\"{}{}\", x)?,",
                        c.enum_name, v.suffix, c.base, v.suffix
                    )
                    .unwrap();
                }
                writeln!(out, "            }}\n        }}").unwrap();
                if c.variants.iter().any(|v| v.has_ext) {
                    writeln!(out, "        ser::choice_ext(m, &self.{})?;", ext_name(&c.rust)).unwrap();
                }
            }
        }
    }
    writeln!(out, "        self.unknown.serialize_entries(m)").unwrap();
    writeln!(out, "    }}\n}}\n").unwrap();
    writeln!(out, "impl Serialize for {name} {{").unwrap();
    writeln!(out, "    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {{ ser::serialize_object(self, s) }}").unwrap();
    writeln!(out, "}}\n").unwrap();

    // Validate.
    writeln!(out, "impl Validate for {name} {{").unwrap();
    writeln!(out, "    fn validate_into(&self, cx: &mut Cx) {{").unwrap();
    for i in &def.items {
        match i {
            Item::Field(f) => {
                if f.required {
                    let present = if f.many {
                        format!("!self.{}.is_empty()", f.rust)
                    } else if f.has_ext {
                        format!("self.{}.is_some() || self.{}.is_some()", f.rust, ext_name(&f.rust))
                    } else {
                        format!("self.{}.is_some()", f.rust)
                    };
                    writeln!(out, "        cx.required({present}, \"{}\");", f.json).unwrap();
                }
                match &f.ty {
                    Ty::Prim(p) => {
                        let kind = prim_kind(p);
                        let codes = match &f.codes {
                            Some(c) => format!(
                                "Some(&[{}])",
                                c.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
                            ),
                            None => "None".to_string(),
                        };
                        let func = if f.many { "prims" } else { "prim" };
                        writeln!(out, "        cx.{func}(\"{}\", &self.{}, {kind}, {codes});", f.json, f.rust).unwrap();
                    }
                    Ty::Resource if f.many => {
                        writeln!(out, "        cx.contained(\"{}\", &self.{});", f.json, f.rust).unwrap();
                    }
                    _ => {
                        let func = if f.many { "children" } else { "child" };
                        writeln!(out, "        cx.{func}(\"{}\", &self.{});", f.json, f.rust).unwrap();
                    }
                }
                if f.has_ext {
                    let func = if f.many { "element_exts" } else { "element_ext" };
                    writeln!(out, "        cx.{func}(\"_{}\", &self.{});", f.json, ext_name(&f.rust)).unwrap();
                }
            }
            Item::Choice(c) => {
                if c.required {
                    let ext = if c.variants.iter().any(|v| v.has_ext) {
                        format!(" || self.{}.is_some()", ext_name(&c.rust))
                    } else {
                        String::new()
                    };
                    writeln!(out, "        cx.required(self.{}.is_some(){ext}, \"{}[x]\");", c.rust, c.base).unwrap();
                }
                writeln!(out, "        if let Some(v) = &self.{} {{", c.rust).unwrap();
                writeln!(out, "            match v {{").unwrap();
                for v in &c.variants {
                    let call = match &v.ty {
                        Ty::Prim(p) => format!("cx.prim_value(\"{}{}\", x, {}, None)", c.base, v.suffix, prim_kind(p)),
                        _ => format!("cx.node(\"{}{}\", &**x)", c.base, v.suffix),
                    };
                    let call = if matches!(v.ty, Ty::Prim(_)) || v.boxed {
                        call
                    } else {
                        call.replace("&**x", "x")
                    };
                    writeln!(out, "                {}::{}(x) => {call},", c.enum_name, v.suffix).unwrap();
                }
                writeln!(out, "            }}\n        }}").unwrap();
                if c.variants.iter().any(|v| v.has_ext) {
                    writeln!(out, "        cx.choice_ext(&self.{});", ext_name(&c.rust)).unwrap();
                }
            }
        }
    }
    writeln!(out, "        cx.unknown(&self.unknown);").unwrap();
    writeln!(out, "        crate::validate::Invariants::check_invariants(self, cx);").unwrap();
    writeln!(out, "    }}\n}}\n").unwrap();
    if !HAND_INVARIANTS.contains(&def.schema.as_str()) {
        writeln!(out, "impl crate::validate::Invariants for {name} {{}}\n").unwrap();
    }
}

const HEADER: &str = "// @generated by crates/model/generate from the FHIR R4 (4.0.1) JSON Schema. Do not edit:
// change the generator and run `cargo run --manifest-path crates/model/generate/Cargo.toml`.
#![allow(clippy::all)]
#![allow(unused_imports)]

use crate::datatypes::*;
use crate::resources::*;
use crate::validate::{Cx, Kind, Validate};
use crate::{de, ser, Resource};
use serde::de::MapAccess;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
";

fn gen_resource_enum(resources: &[String]) -> String {
    let mut out = String::from(
        "// @generated by crates/model/generate. Do not edit.\n\nuse crate::resources::*;\nuse crate::{de, RawResource, Resource};\nuse serde::de::MapAccess;\n\n",
    );
    writeln!(out, "/// Every resource type medrec-model types (the rest are [`Resource::Other`]).").unwrap();
    writeln!(out, "pub const TYPED_RESOURCE_TYPES: &[&str] = &[{}];\n", resources.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join(", ")).unwrap();
    writeln!(out, "macro_rules! for_each_typed_resource {{ ($m:ident) => {{ $m!({}); }}; }}", resources.join(", ")).unwrap();
    writeln!(out, "pub(crate) use for_each_typed_resource;\n").unwrap();
    writeln!(out, "/// Reads the rest of a resource whose `resourceType` was already read.").unwrap();
    writeln!(out, "pub(crate) fn dispatch<'de, A: MapAccess<'de>>(resource_type: &str, map: A) -> Result<Resource, A::Error> {{").unwrap();
    writeln!(out, "    Ok(match resource_type {{").unwrap();
    for r in resources {
        writeln!(out, "        \"{r}\" => Resource::{r}(Box::new(de::visit_rest::<{r}, A>(map)?)),").unwrap();
    }
    writeln!(out, "        other => Resource::Other(RawResource::visit_rest(other, map)?),").unwrap();
    writeln!(out, "    }})\n}}").unwrap();
    writeln!(out, "/// The contained resources of a (typed, domain) resource.").unwrap();
    writeln!(out, "pub(crate) fn contained_of(r: &Resource) -> &[Resource] {{").unwrap();
    writeln!(out, "    match r {{").unwrap();
    for r in resources.iter().filter(|r| *r != "Bundle") {
        writeln!(out, "        Resource::{r}(x) => &x.contained,").unwrap();
    }
    writeln!(out, "        _ => &[],").unwrap();
    writeln!(out, "    }}\n}}").unwrap();
    out
}

fn rustfmt(code: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt");
    child.stdin.take().unwrap().write_all(code.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "rustfmt failed");
    String::from_utf8(out.stdout).unwrap()
}

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model = manifest.parent().unwrap().to_path_buf();
    let data = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| model.join("../../../shared/data"));
    let schema_path = data.join("fhir-schema/fhir.r4.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(&schema_path).unwrap_or_else(|e| {
        panic!("cannot read {}: {e}", schema_path.display())
    }))
    .unwrap();
    let defs = schema["definitions"].as_object().unwrap();

    // Collect the resources, their backbone elements and every datatype they reach.
    let mut built: BTreeMap<String, Def> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut queue: Vec<String> = RESOURCES.iter().map(|s| s.to_string()).collect();
    queue.reverse();
    while let Some(n) = queue.pop() {
        if built.contains_key(&n) {
            continue;
        }
        let def = build_def(&n, defs, RESOURCES.contains(&n.as_str()));
        for dep in struct_deps(&def).into_iter().rev() {
            if !built.contains_key(&dep) {
                queue.push(dep);
            }
        }
        order.push(n.clone());
        built.insert(n, def);
    }
    box_cycles(&mut built, &order);

    // Choice enum names must not clash with struct names.
    let struct_names: BTreeSet<String> = built.values().map(|d| d.rust.clone()).collect();
    for d in built.values() {
        for i in &d.items {
            if let Item::Choice(c) = i {
                assert!(!struct_names.contains(&c.enum_name), "name clash: {}", c.enum_name);
            }
        }
    }

    let is_resource_part = |n: &str| {
        let root = n.split('_').next().unwrap();
        RESOURCES.contains(&root)
    };
    let mut datatypes = String::from(HEADER);
    let mut resources = String::from(HEADER);
    // Datatypes in schema order; resources in RESOURCES order, each followed by its backbones.
    for (name, _) in defs {
        if let Some(d) = built.get(name) {
            if !is_resource_part(name) {
                gen_def(d, &mut datatypes);
            }
        }
    }
    for r in RESOURCES {
        for (name, _) in defs {
            if name == r || name.starts_with(&format!("{r}_")) {
                if let Some(d) = built.get(name) {
                    gen_def(d, &mut resources);
                }
            }
        }
    }
    let res_names: Vec<String> = RESOURCES.iter().map(|s| s.to_string()).collect();
    let files: Vec<(PathBuf, String)> = vec![
        (model.join("src/datatypes/generated.rs"), rustfmt(&datatypes)),
        (model.join("src/resources/generated.rs"), rustfmt(&resources)),
        (model.join("src/resource_generated.rs"), rustfmt(&gen_resource_enum(&res_names))),
    ];
    let mut stale = false;
    for (path, text) in &files {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != *text {
            stale = true;
            if check {
                eprintln!("out of date: {}", path.display());
            } else {
                write(path, text);
            }
        }
    }
    eprintln!("{} definitions generated ({} resources)", built.len(), RESOURCES.len());
    if check && stale {
        std::process::exit(1);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    eprintln!("wrote {}", path.display());
}
