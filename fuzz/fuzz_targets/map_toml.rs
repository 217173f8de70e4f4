//! Map file text of any shape is either a mapping or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tallyclerk::config::Config;
use tallyclerk::import::mapping::Mapping;
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
        let config = Config::from_parts("title = \"fuzz\"\n", orgs).unwrap();
        let _ = Mapping::parse("map.toml", text, &config);
    }
});
