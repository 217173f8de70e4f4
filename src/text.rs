//! Turning the bytes of a text file into a string, whatever a spreadsheet saved it as.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

/// Decodes file bytes: UTF-8 (a BOM is dropped), UTF-16 with a BOM, otherwise GB18030 — what
/// Chinese Excel and WPS write as "CSV".
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return UTF_16LE.decode(bytes).0.into_owned();
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return UTF_16BE.decode(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => GB18030.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_and_without_bom_and_gb18030() {
        assert_eq!(decode("好,A".as_bytes()), "好,A");
        assert_eq!(decode(b"\xEF\xBB\xBFid"), "id");
        let (gbk, _, _) = GB18030.encode("长兴村党支部");
        assert_eq!(decode(&gbk), "长兴村党支部");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("好".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16), "好");
    }
}
