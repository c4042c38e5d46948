//! `medrec-codes`: the ICD-10-CM and ICD-10-PCS code sets, embedded, with validation, titles,
//! the tabular hierarchy, 7th characters, instructional notes, word search, a batch API for
//! throughput, and several fiscal years side by side.
//!
//! ```
//! use medrec_codes::{icd10cm, CodeStatus};
//!
//! let cm = icd10cm(); // FY2026 April 1 update, embedded
//! assert_eq!(cm.validate("e11.9"), CodeStatus::Billable);
//! assert_eq!(cm.validate("E11"), CodeStatus::Header);
//! assert_eq!(cm.validate("T36.0X1"), CodeStatus::MissingSeventhCharacter);
//! assert_eq!(cm.validate("T36.01A"), CodeStatus::Unknown); // placeholder X missing
//!
//! let entry = cm.lookup("t360x1a")?;
//! assert_eq!(entry.code().to_string(), "T36.0X1A");
//! assert_eq!(entry.title(), "Poisoning by penicillins, accidental (unintentional), initial encounter");
//! assert_eq!(entry.parent().unwrap().code().to_string(), "T36.0X1");
//! assert_eq!(entry.seventh_character_meaning(), Some("initial encounter"));
//! assert_eq!(entry.chapter().unwrap().number, 19);
//! assert_eq!(entry.block().unwrap().range(), "T36-T50");
//! # Ok::<(), medrec_codes::LookupError>(())
//! ```
//!
//! # Should I use this crate?
//!
//! Use it when you need the official ICD-10-CM / ICD-10-PCS code sets in a Rust program without
//! a database or network: validating codes on claims or abstracts, showing titles, grouping by
//! chapter and block, helping a coder find a code, or checking thousands of codes per
//! millisecond. It does not assign codes from clinical text, and it does not ship the ICD-10-CM
//! alphabetic index (search is over titles).
//!
//! # Crate features
//!
//! None: the tables are always embedded (about 5 MB of text), and other fiscal years load at run
//! time from the CMS / CDC files ([`IcdCmRelease::from_tabular_xml`],
//! [`IcdCmRelease::from_order_file`], [`IcdCmRelease::from_code_descriptions`]).

mod classify;
pub mod clinical;
mod cm;
mod error;
mod pcs;
mod search;

pub use classify::Classification;
pub use cm::code::{DottedCode, IcdCmCode, MalformedCode, MalformedKind};
pub use cm::history::{HeldRelease, ReleaseDiff, ReleaseHistory};
pub use cm::icd10cm;
pub use cm::notes::{NoteKind, NoteOwner, Notes};
pub use cm::release::{
    Block, Chapter, CodeEntry, CodeStatus, EntryId, IcdCmRelease, ReleaseId, ReleaseUpdate,
    SeventhCharacterDef,
};
pub use error::{DateError, DateErrorKind, LoadError, LoadErrorKind, LookupError, LookupErrorKind};
pub use pcs::{
    AXIS_NAMES, MalformedPcsCode, MalformedPcsKind, PcsAxis, PcsCode, PcsRelease, PcsStatus,
    icd10pcs,
};
pub use search::{SearchHit, SearchOptions};
