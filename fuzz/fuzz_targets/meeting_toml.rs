//! meeting.toml text of any shape is either a config or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tallyclerk::config::Config;
use tallyclerk::model::Organization;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let orgs = (1..=3)
            .map(|i| Organization {
                id: format!("O{i}"),
                name: format!("组织{i}"),
                category: String::new(),
            })
            .collect();
        let _ = Config::from_parts(text, orgs);
    }
});
