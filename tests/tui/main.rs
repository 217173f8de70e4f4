//! Tests of the terminal UI: key events drive the app, the rendered `TestBackend` buffer is
//! checked, and one test runs the real binary in a pseudo-terminal.

mod entry;
mod harness;
mod keys;
mod layout;
mod projector;
mod pty;
mod ranking;
mod review;
mod screens;
mod start;
mod tabs;
mod verify;
