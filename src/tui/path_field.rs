//! Tab completion of a typed path, for every field that takes a file or folder name.

use std::path::PathBuf;

/// What Tab did to a typed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Nothing in the folder matches (or the folder cannot be read).
    None,
    /// The path completed: the one match, or the longest prefix all matches share, with
    /// the matches (more than one) to list below the field.
    Completed {
        /// The path completed.
        path: String,
        /// The names that matched, when more than one did.
        candidates: Vec<String>,
    },
}

/// Completes the last component of `typed` from the names in its folder; hidden names only
/// when a dot was typed, folders with a trailing `/`.
pub fn complete(typed: &str) -> Completion {
    let (dir_part, partial) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(dir_part)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Completion::None;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let mut name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(partial) || (name.starts_with('.') && !partial.starts_with('.')) {
                return None;
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                name.push('/');
            }
            Some(name)
        })
        .collect();
    names.sort();
    match names.len() {
        0 => Completion::None,
        1 => Completion::Completed {
            path: format!("{dir_part}{}", names[0]),
            candidates: Vec::new(),
        },
        _ => {
            let common = names.iter().skip(1).fold(names[0].clone(), |acc, name| {
                acc.chars()
                    .zip(name.chars())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect()
            });
            Completion::Completed {
                path: format!("{dir_part}{common}"),
                candidates: names,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_match_completes_several_share_their_prefix() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("orgs-2021.csv"), "").unwrap();
        std::fs::write(dir.path().join("orgs-2022.xlsx"), "").unwrap();
        std::fs::create_dir(dir.path().join("meeting")).unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        let base = format!("{}/", dir.path().display());
        assert_eq!(
            complete(&format!("{base}m")),
            Completion::Completed {
                path: format!("{base}meeting/"),
                candidates: Vec::new()
            }
        );
        assert_eq!(
            complete(&format!("{base}o")),
            Completion::Completed {
                path: format!("{base}orgs-202"),
                candidates: vec!["orgs-2021.csv".into(), "orgs-2022.xlsx".into()]
            }
        );
        assert_eq!(complete(&format!("{base}x")), Completion::None);
        assert_eq!(complete(&format!("{base}nowhere/a")), Completion::None);
        // Hidden names only when a dot is typed.
        assert!(matches!(
            complete(&format!("{base}.h")),
            Completion::Completed { .. }
        ));
    }
}
