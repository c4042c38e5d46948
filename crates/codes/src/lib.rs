//! `medrec-codes`: see the workspace README. This crate is being built; its API lands with its issue.
