//! The FHIR R4 element table (`data/fhir_r4_elements.txt`): for each supported resource type,
//! backbone element and datatype, its elements and their datatypes. An element that is not in the
//! table is unknown and is removed (fail closed).

use std::collections::HashMap;
use std::sync::OnceLock;

/// One element's datatype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ElementType {
    pub(crate) ty: &'static str,
    pub(crate) array: bool,
}

pub(crate) struct Schema {
    defs: HashMap<&'static str, HashMap<&'static str, ElementType>>,
}

/// The resource types de-identified (every other type is removed, fail closed).
pub const SUPPORTED_RESOURCE_TYPES: &[&str] = &[
    "AllergyIntolerance",
    "Appointment",
    "AuditEvent",
    "Basic",
    "BodyStructure",
    "Bundle",
    "CarePlan",
    "CareTeam",
    "Claim",
    "ClinicalImpression",
    "Communication",
    "Composition",
    "Condition",
    "Consent",
    "Coverage",
    "Device",
    "DeviceRequest",
    "DeviceUseStatement",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "EpisodeOfCare",
    "ExplanationOfBenefit",
    "FamilyMemberHistory",
    "Flag",
    "Goal",
    "ImagingStudy",
    "Immunization",
    "List",
    "Location",
    "Media",
    "Medication",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationRequest",
    "MedicationStatement",
    "NutritionOrder",
    "Observation",
    "Organization",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "QuestionnaireResponse",
    "RelatedPerson",
    "RiskAssessment",
    "ServiceRequest",
    "Specimen",
    "SupplyDelivery",
];

impl Schema {
    pub(crate) fn get() -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(|| {
            let mut defs = HashMap::new();
            for line in include_str!("../../data/fhir_r4_elements.txt").lines() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let mut parts = line.split(' ');
                let name = parts.next().expect("definition name");
                let mut elements = HashMap::new();
                for p in parts {
                    let (el, ty) = p.split_once(':').expect("element:type");
                    let (ty, array) = match ty.strip_suffix("[]") {
                        Some(t) => (t, true),
                        None => (ty, false),
                    };
                    elements.insert(el, ElementType { ty, array });
                }
                defs.insert(name, elements);
            }
            Schema { defs }
        })
    }

    pub(crate) fn element(&self, def: &str, element: &str) -> Option<ElementType> {
        self.defs.get(def)?.get(element).copied()
    }

    pub(crate) fn has_def(&self, def: &str) -> bool {
        self.defs.contains_key(def)
    }

    pub(crate) fn supports(&self, resource_type: &str) -> bool {
        SUPPORTED_RESOURCE_TYPES.contains(&resource_type) && self.defs.contains_key(resource_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_knows_the_supported_types_and_datatypes() {
        let s = Schema::get();
        for t in SUPPORTED_RESOURCE_TYPES {
            assert!(s.supports(t), "{t} missing from the element table");
        }
        assert_eq!(s.element("Patient", "name").unwrap().ty, "HumanName");
        assert!(s.element("Patient", "name").unwrap().array);
        assert_eq!(s.element("Observation", "issued").unwrap().ty, "instant");
        assert_eq!(
            s.element("Bundle_Entry", "resource").unwrap().ty,
            "ResourceList"
        );
        assert_eq!(s.element("Extension", "valueString").unwrap().ty, "string");
        assert!(s.element("Patient", "favouriteColour").is_none());
    }
}
