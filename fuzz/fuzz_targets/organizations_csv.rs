//! organizations.csv bytes of any shape are either organizations or a located error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = tallyclerk::text::decode(data);
    let _ = tallyclerk::config::parse_organizations("organizations.csv", &text);
});
