//! Import tests: real scanner outputs, encodings, layouts, workbooks, the GB18030 round trip,
//! and malformed files that must change nothing.

mod harness;

mod encodings;
mod exports;
mod failures;
mod hardening;
mod scanners;
