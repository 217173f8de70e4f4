//! Command-line tests: the real binary on real files, failures included. Each failure must
//! exit 1 with a message naming the place, and leave the store as it was.

mod harness;

mod commands;
mod failures;
mod hardening;
mod lifecycle;
mod pdf;
mod rules;
mod scoring;
mod setup;
mod verify;
