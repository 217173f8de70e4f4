//! Reading the file of a `[[composite]]` part: `org_id,score`, one row per organization.
//!
//! The file may be CSV in UTF-8 (with or without BOM) or GB18030, or a workbook, as the
//! organization list may. Its header names the id column (`org_id`, `id`, `组织编号`, `编号`)
//! and the score column (`score`, `得分`, `分数`); every organization of the meeting has exactly
//! one row, its score from 0 to 100 with at most 2 decimals. Every problem names the file, the
//! line, the column and the value.

use super::list_file::ListFile;
use crate::decimal::Milli;
use crate::error::{Error, Result, Text};
use crate::model::Organization;
use std::collections::HashMap;

/// Header words of the id column.
const ID_HEADERS: &[&str] = &["org_id", "id", "组织编号", "编号"];
/// Header words of the score column.
const SCORE_HEADERS: &[&str] = &["score", "得分", "分数"];
/// The highest score of a part: 100, in thousandths.
const MAX_SCORE: Milli = Milli(100_000);

/// Why a part file was refused: a problem inside it, or an organization it does not score.
#[derive(Debug)]
pub(crate) enum PartRefusal {
    /// A problem at a line of the file (or with the file as a whole).
    Problem(Error),
    /// The organization at this index has no row.
    Missing(usize),
}

/// Reads the scores of a part file named `file` (for messages) with content `bytes`: per
/// organization of `orgs`, in their order, its score.
pub(crate) fn read_part_scores(
    file: &str,
    bytes: &[u8],
    orgs: &[Organization],
) -> std::result::Result<Vec<Milli>, PartRefusal> {
    read(file, bytes, orgs).map_err(PartRefusal::Problem)?
}

fn read(
    file: &str,
    bytes: &[u8],
    orgs: &[Organization],
) -> Result<std::result::Result<Vec<Milli>, PartRefusal>> {
    let mut list = ListFile::open(file, bytes)?;
    let Some((header_line, header)) = trimmed_row(&mut list)? else {
        return Err(list.problem(
            None,
            None,
            None,
            Text::new(
                "the file is empty: it needs a header org_id,score and a row per organization",
                "文件为空：需要表头 org_id,score 和每个组织一行",
            ),
        ));
    };
    let find = |words: &[&str]| {
        header
            .iter()
            .position(|h| words.contains(&h.to_lowercase().as_str()))
    };
    let (Some(id_column), Some(score_column)) = (find(ID_HEADERS), find(SCORE_HEADERS)) else {
        return Err(list.problem(
            Some(header_line),
            None,
            Some(&header.join(",")),
            Text::new(
                "no header naming the org_id and score columns (org_id or 组织编号, score or 得分)",
                "没有标明 org_id 与 score 列的表头（org_id 或 组织编号，score 或 得分）",
            ),
        ));
    };
    let (id_header, score_header) = (header[id_column].clone(), header[score_column].clone());
    let index: HashMap<String, usize> = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.to_lowercase(), i))
        .collect();
    let mut scores: Vec<Option<(Milli, u64)>> = vec![None; orgs.len()];
    while let Some((line, cells)) = trimmed_row(&mut list)? {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let id = cell(id_column);
        let Some(&org) = index.get(&id.to_lowercase()) else {
            return Err(list.problem(
                Some(line),
                Some(&id_header),
                Some(id),
                Text::new("not an organization of the meeting", "不是本次会议的组织"),
            ));
        };
        if let Some((_, first)) = scores[org] {
            return Err(list.problem(
                Some(line),
                Some(&id_header),
                Some(id),
                Text::new(
                    format!("the organization is scored twice, first on line {first}"),
                    format!("该组织重复评分，首次出现在第 {first} 行"),
                ),
            ));
        }
        let text = cell(score_column);
        let score = Milli::parse(text)
            .filter(|s| s.0 % 10 == 0 && (0..=MAX_SCORE.0).contains(&s.0))
            .ok_or_else(|| {
                list.problem(
                    Some(line),
                    Some(&score_header),
                    Some(text),
                    Text::new(
                        "not a score from 0 to 100 with at most 2 decimals",
                        "不是 0 到 100 之间、最多 2 位小数的分数",
                    ),
                )
            })?;
        scores[org] = Some((score, line));
    }
    Ok(match scores.iter().position(Option::is_none) {
        Some(missing) => Err(PartRefusal::Missing(missing)),
        None => Ok(scores.into_iter().flatten().map(|(s, _)| s).collect()),
    })
}

/// The next row of `list` that is not blank, its cells without the spaces around them.
fn trimmed_row(list: &mut ListFile) -> Result<Option<(u64, Vec<String>)>> {
    Ok(list
        .next_row()?
        .map(|(line, cells)| (line, cells.iter().map(|c| c.trim().to_string()).collect())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn orgs() -> Vec<Organization> {
        ["V01", "V02", "V03"]
            .iter()
            .map(|id| Organization {
                id: id.to_string(),
                name: format!("{id} 村"),
                category: String::new(),
            })
            .collect()
    }

    fn refusal(content: &str) -> String {
        match read_part_scores("daily.csv", content.as_bytes(), &orgs()) {
            Err(PartRefusal::Problem(e)) => e.message(Lang::En),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_scores_in_organization_order_in_either_header_language() {
        let scores = read_part_scores(
            "daily.csv",
            b"org_id,score\nV03,70\nV01,85.5\nV02,92.25\n",
            &orgs(),
        )
        .unwrap();
        assert_eq!(scores, [Milli(85_500), Milli(92_250), Milli(70_000)]);
        // Chinese headers, GB18030-encoded, ids matched without regard to case.
        let (text, _, _) =
            encoding_rs::GB18030.encode("组织编号,得分\nv01,0\nV02,100\nV03,60.10\n");
        let scores = read_part_scores("daily.csv", &text, &orgs()).unwrap();
        assert_eq!(scores, [Milli(0), Milli(100_000), Milli(60_100)]);
    }

    #[test]
    fn refuses_with_file_line_column_and_value() {
        let twice = refusal("org_id,score\nV01,80\nV02,80\nV01,81\nV03,70\n");
        assert!(twice.starts_with("daily.csv:4"), "{twice}");
        assert!(twice.contains("twice, first on line 2"), "{twice}");
        let out_of_range = refusal("org_id,score\nV01,80\nV02,100.5\nV03,70\n");
        assert!(out_of_range.starts_with("daily.csv:3"), "{out_of_range}");
        assert!(
            out_of_range.contains("100.5") && out_of_range.contains("0 to 100"),
            "{out_of_range}"
        );
        let three_places = refusal("org_id,score\nV01,80.125\n");
        assert!(three_places.starts_with("daily.csv:2"), "{three_places}");
        let negative = refusal("org_id,score\nV01,-1\n");
        assert!(negative.contains("0 to 100"), "{negative}");
        let unknown = refusal("org_id,score\nV09,80\n");
        assert!(
            unknown.starts_with("daily.csv:2") && unknown.contains("V09"),
            "{unknown}"
        );
        let no_header = refusal("V01,80\nV02,70\n");
        assert!(no_header.starts_with("daily.csv:1"), "{no_header}");
        // A missing organization is named by its index; the caller names the file and the
        // line of meeting.toml that lists it.
        assert!(matches!(
            read_part_scores("daily.csv", b"org_id,score\nV01,80\nV03,70\n", &orgs()),
            Err(PartRefusal::Missing(1))
        ));
    }
}
