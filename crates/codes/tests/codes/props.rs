//! Property tests: normalization and validation never panic and are consistent.

use medrec_codes::{CodeStatus, IcdCmCode, PcsCode, icd10cm};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_is_handled_without_panic(s in "\\PC{0,12}") {
        let cm = icd10cm();
        let status = cm.validate(&s);
        let c = cm.classify(&s);
        prop_assert_eq!(status, c.status());
        match IcdCmCode::parse(&s) {
            Ok(code) => {
                prop_assert!(!matches!(status, CodeStatus::Malformed(_)));
                // Normal form is a fixed point.
                prop_assert_eq!(IcdCmCode::parse(&code.to_string()).unwrap(), code);
                prop_assert_eq!(IcdCmCode::parse(code.as_undotted()).unwrap(), code);
            }
            Err(e) => prop_assert_eq!(status, CodeStatus::Malformed(e.kind())),
        }
        let _ = PcsCode::parse(&s);
        let _ = medrec_codes::icd10pcs().validate(&s);
    }

    #[test]
    fn code_like_strings_are_rejected_or_normalized(s in "[A-Za-z0-9. \\-]{0,10}") {
        let cm = icd10cm();
        let status = cm.validate(&s);
        if let Ok(code) = IcdCmCode::parse(&s) {
            let t = s.trim();
            prop_assert!(!t.contains('-') && !t.contains(' '));
            prop_assert_eq!(code.as_undotted(), t.replace('.', "").to_ascii_uppercase());
            prop_assert_eq!(cm.validate_code(&code), status);
        } else {
            prop_assert!(matches!(status, CodeStatus::Malformed(_)));
        }
    }

    #[test]
    fn real_codes_survive_any_spelling(i in 0usize..98_186, lower in any::<bool>(), dotted in any::<bool>(), pad in 0usize..3) {
        let cm = icd10cm();
        let e = cm.iter().nth(i).unwrap();
        let mut s = if dotted { e.code().to_string() } else { e.code().as_undotted().to_string() };
        if lower { s = s.to_lowercase(); }
        let s = format!("{}{}{}", " ".repeat(pad), s, "\t".repeat(pad));
        prop_assert_eq!(cm.validate(&s), e.status());
        prop_assert_eq!(cm.lookup(&s).unwrap().code(), e.code());
        // Corrupting a character never panics and never yields a different valid code silently.
        let mut bytes = s.into_bytes();
        let k = pad + (i % 3);
        bytes[k] = b'#';
        let corrupted = String::from_utf8(bytes).unwrap();
        prop_assert!(matches!(cm.validate(&corrupted), CodeStatus::Malformed(_)));
    }
}
