//! Reading an organization list as clerks keep it.
//!
//! The list may be a CSV file in UTF-8 (with or without BOM) or GB18030 (what Chinese Excel
//! and WPS save), or an `.xlsx` / `.xls` workbook (its first sheet). Its header names the
//! columns in English (`id`, `name`, `category`) or in Chinese (`序号`/`编号`,
//! `单位名称`/`党组织名称`/`名称`, `类别`); title rows above the header are passed over. Without
//! an id column the organizations get made-up ids `O01`, `O02`, ... in list order. Every
//! problem names the file, the line (the row of a sheet), the column and the value.

use super::list_file::ListFile;
use crate::error::{Result, Text};
use crate::model::Organization;
use std::collections::HashMap;
use std::path::Path;

/// Header words of the id column, the most specific first: a code (编号) is preferred to a
/// running number (序号) when a list has both.
const ID_HEADERS: &[&str] = &["id", "编号", "组织编号", "单位编号", "代码", "序号"];
/// Header words of the name column, the most specific first.
const NAME_HEADERS: &[&str] = &[
    "name",
    "党组织名称",
    "单位名称",
    "组织名称",
    "名称",
    "单位",
    "党组织",
];
/// Header words of the category column.
const CATEGORY_HEADERS: &[&str] = &["category", "类别", "类型", "分类"];
/// How many non-blank rows may stand above the header (a title, a date line).
const HEADER_SEARCH_ROWS: usize = 10;

/// Loads and checks an organization list (CSV in any common encoding, or a workbook).
pub fn load_organizations(path: &Path) -> Result<Vec<Organization>> {
    let bytes = crate::text::read_small_file(path)?;
    read_organizations(&path.display().to_string(), &bytes)
}

/// Parses the text of an organization list named `file` (for messages).
pub fn parse_organizations(file: &str, content: &str) -> Result<Vec<Organization>> {
    read_organizations(file, content.as_bytes())
}

/// The columns of a list, as positions in its rows and as written in its header.
struct Columns {
    id: Option<(usize, String)>,
    name: (usize, String),
    category: Option<(usize, String)>,
    width: usize,
}

impl Columns {
    /// The columns named by `header`, when it names a name column.
    fn of(header: &[String]) -> Option<Columns> {
        let normal: Vec<String> = header
            .iter()
            .map(|h| {
                h.chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_lowercase()
            })
            .collect();
        let find = |words: &[&str]| {
            words.iter().find_map(|word| {
                normal
                    .iter()
                    .position(|h| h == word)
                    .map(|i| (i, header[i].trim().to_string()))
            })
        };
        Some(Columns {
            name: find(NAME_HEADERS)?,
            id: find(ID_HEADERS),
            category: find(CATEGORY_HEADERS),
            width: header.len(),
        })
    }
}

fn read_organizations(file: &str, bytes: &[u8]) -> Result<Vec<Organization>> {
    let mut list = ListFile::open(file, bytes)?;
    let no_organizations = |list: &ListFile| {
        list.problem(
            None,
            None,
            None,
            Text::new("no organizations listed", "没有列出任何组织"),
        )
    };
    let Some(first) = list.next_row()? else {
        return Err(no_organizations(&list));
    };
    let mut row = first.clone();
    let mut searched = 1;
    let columns = loop {
        if let Some(columns) = Columns::of(&row.1) {
            break columns;
        }
        match list.next_row()? {
            Some(later) if searched < HEADER_SEARCH_ROWS => {
                row = later;
                searched += 1;
            }
            _ => {
                return Err(list.problem(
                    Some(first.0),
                    None,
                    Some(&first.1.join(",")),
                    Text::new(
                        "no header naming the organizations' name column (name, 单位名称, 党组织名称 or 名称; id or 序号/编号 and category or 类别 optional)",
                        "没有标明组织名称列的表头（name、单位名称、党组织名称或名称；id 或 序号/编号、category 或 类别 可选）",
                    ),
                ))
            }
        }
    };
    let mut organizations: Vec<Organization> = Vec::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut names: HashMap<String, u64> = HashMap::new();
    while let Some((line, cells)) = list.next_row()? {
        // Cells past the header's width are a misread row unless they are empty (a
        // spreadsheet often saves a few trailing empty cells).
        if cells.len() > columns.width
            && cells[columns.width..].iter().any(|c| !c.trim().is_empty())
        {
            return Err(list.problem(
                Some(line),
                None,
                None,
                Text::new(
                    format!(
                        "{} fields where the header has {}",
                        cells.len(),
                        columns.width
                    ),
                    format!("有 {} 个字段，而表头有 {} 个", cells.len(), columns.width),
                ),
            ));
        }
        // A leading ' marks a text cell in a spreadsheet (and in the list `new` writes, where
        // it guards a cell that would run as a formula): it is not part of the text.
        let cell = |i: usize| {
            let text = cells.get(i).map_or("", |c| c.trim());
            match text.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
                _ => text.to_string(),
            }
        };
        let name = cell(columns.name.0);
        let category = columns
            .category
            .as_ref()
            .map(|(i, _)| cell(*i))
            .unwrap_or_default();
        let id = match &columns.id {
            Some((i, header)) => {
                let id = cell(*i);
                let id_ok = !id.is_empty()
                    && !id.contains(|c: char| c.is_whitespace() || c == ',')
                    && !["serial", "group"].contains(&id.to_ascii_lowercase().as_str());
                if let (true, Err(why)) = (id_ok, crate::limits::id(&id)) {
                    return Err(list.problem(Some(line), Some(header), Some(&id), why));
                }
                if !id_ok {
                    return Err(list.problem(
                        Some(line),
                        Some(header),
                        Some(&id),
                        Text::new(
                            "an id must be non-empty, without spaces or commas, and not \"serial\" or \"group\"",
                            "id 不能为空，不能含空格或逗号，也不能是 \"serial\" 或 \"group\"",
                        ),
                    ));
                }
                if let Some(first) = ids.insert(id.to_lowercase(), line) {
                    return Err(list.problem(
                        Some(line),
                        Some(header),
                        Some(&id),
                        Text::new(
                            format!("duplicate id, first on line {first}"),
                            format!("id 重复，首次出现在第 {first} 行"),
                        ),
                    ));
                }
                id
            }
            // Numbered once all are read, when their count sets the width.
            None => String::new(),
        };
        let name_header = columns.name.1.as_str();
        // Names and categories go into every file written (guarded there against formulas).
        let category_header = columns.category.as_ref().map_or("", |c| c.1.as_str());
        let text_problem = [(name_header, &name), (category_header, &category)]
            .into_iter()
            .find_map(|(header, text)| {
                crate::limits::one_line(text, crate::limits::TEXT_CHARS)
                    .err()
                    .map(|why| (header, text, why))
            });
        if let Some((header, text, why)) = text_problem {
            return Err(list.problem(Some(line), Some(header), Some(text), why));
        }
        if name.is_empty() {
            return Err(list.problem(
                Some(line),
                Some(name_header),
                Some(&name),
                Text::new("the name is empty", "名称为空"),
            ));
        }
        if let Some(first) = names.insert(name.clone(), line) {
            return Err(list.problem(
                Some(line),
                Some(name_header),
                Some(&name),
                Text::new(
                    format!("duplicate name, first on line {first}"),
                    format!("名称重复，首次出现在第 {first} 行"),
                ),
            ));
        }
        organizations.push(Organization { id, name, category });
    }
    if organizations.is_empty() {
        return Err(no_organizations(&list));
    }
    if columns.id.is_none() {
        let width = organizations.len().to_string().len().max(2);
        for (i, org) in organizations.iter_mut().enumerate() {
            org.id = format!("O{:0width$}", i + 1);
        }
    }
    Ok(organizations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn refusal(content: &str) -> String {
        match parse_organizations("orgs.csv", content) {
            Ok(_) => panic!("{content:?} was accepted"),
            Err(e) => e.message(Lang::En),
        }
    }

    fn triples(orgs: &[Organization]) -> Vec<(&str, &str, &str)> {
        orgs.iter()
            .map(|o| (o.id.as_str(), o.name.as_str(), o.category.as_str()))
            .collect()
    }

    #[test]
    fn organization_problems_name_file_lines_whatever_the_line_ends() {
        for end in ["\n", "\r\n", "\r"] {
            let text = ["id,name", "V1,甲", "", "V2,乙", "v1,丙"].join(end);
            let err = refusal(&text);
            assert!(
                err.contains(
                    "orgs.csv:5: column \"id\": value \"v1\": duplicate id, first on line 2"
                ),
                "{end:?}: {err}"
            );
            let text = ["id,name", "V1,甲", "V2,乙", "V3,甲"].join(end);
            let err = refusal(&text);
            assert!(
                err.contains(
                    "orgs.csv:4: column \"name\": value \"甲\": duplicate name, first on line 2"
                ),
                "{end:?}: {err}"
            );
        }
        let err = refusal("\r\nid,name\r\nV1,甲,extra\r\n");
        assert!(
            err.contains("orgs.csv:3: 3 fields where the header has 2"),
            "{err}"
        );
        let parsed = parse_organizations("orgs.csv", "id,name\r\rV1,甲\rV2,乙\r").unwrap();
        assert_eq!(parsed.len(), 2);
    }

    #[test]
    fn chinese_headers_are_read_and_columns_named_as_written() {
        let orgs = parse_organizations(
            "名单.csv",
            "序号,单位名称,类别\n1,长兴村党支部,村\n2,东门社区党支部,社区\n",
        )
        .unwrap();
        assert_eq!(
            triples(&orgs),
            [("1", "长兴村党支部", "村"), ("2", "东门社区党支部", "社区")]
        );
        // 编号 is preferred to 序号; 党组织名称 to 名称; spaces inside a header are ignored.
        let orgs = parse_organizations(
            "名单.csv",
            "序号,编号,党组织 名称,名称\n1,V07,长兴村党支部,长兴村\n",
        )
        .unwrap();
        assert_eq!(triples(&orgs), [("V07", "长兴村党支部", "")]);
        let err = parse_organizations("名单.csv", "序号,单位名称\n1,甲\n1,乙\n")
            .unwrap_err()
            .message(Lang::En);
        assert!(
            err.contains("名单.csv:3: column \"序号\": value \"1\": duplicate id, first on line 2"),
            "{err}"
        );
        let err = parse_organizations("名单.csv", "序号,单位名称\n1,甲\n2,\n")
            .unwrap_err()
            .message(Lang::Zh);
        assert!(
            err.contains("名单.csv:3: 列 \"单位名称\": 值 \"\": 名称为空"),
            "{err}"
        );
    }

    #[test]
    fn ids_are_made_up_without_an_id_column() {
        let orgs = parse_organizations("l.csv", "单位名称,类别\n甲,村\n乙,社区\n").unwrap();
        assert_eq!(triples(&orgs), [("O01", "甲", "村"), ("O02", "乙", "社区")]);
        let mut many = String::from("name\n");
        for i in 1..=120 {
            many.push_str(&format!("org {i}\n"));
        }
        let orgs = parse_organizations("l.csv", &many).unwrap();
        assert_eq!(
            (orgs[0].id.as_str(), orgs[119].id.as_str()),
            ("O001", "O120")
        );
    }

    #[test]
    fn title_rows_above_the_header_are_passed_over_and_trailing_empty_cells_allowed() {
        let text = "长兴镇基层党组织名单,,\n,,\n序号,单位名称,类别\n1,长兴村党支部,村,,\n2,东门社区党支部\n";
        let orgs = parse_organizations("l.csv", text).unwrap();
        assert_eq!(
            triples(&orgs),
            [("1", "长兴村党支部", "村"), ("2", "东门社区党支部", "")]
        );
        let err = refusal("组织,备注\n甲,x\n");
        assert!(
            err.contains(
                "orgs.csv:1: value \"组织,备注\": no header naming the organizations' name column"
            ),
            "{err}"
        );
        assert!(refusal("name\n").contains("no organizations listed"));
        assert!(refusal("").contains("empty"));
    }

    #[test]
    fn gb18030_and_bom_lists_read_alike() {
        let text = "序号,单位名称,类别\n1,长兴村党支部,村\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let from_gbk = read_organizations("l.csv", &gbk).unwrap();
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let from_bom = read_organizations("l.csv", &with_bom).unwrap();
        assert_eq!(from_gbk, from_bom);
        assert_eq!(triples(&from_gbk), [("1", "长兴村党支部", "村")]);
    }

    /// A workbook with a title row, an empty row, then `rows` (the header first).
    fn workbook(rows: &[[&str; 3]]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write(0, 0, "长兴镇党组织名单").unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 2, c as u16);
                // Running numbers are numbers in a sheet, not text.
                match cell.parse::<u32>() {
                    Ok(n) => sheet.write(r, c, n).unwrap(),
                    Err(_) => sheet.write(r, c, *cell).unwrap(),
                };
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_list_is_read_from_its_first_sheet() {
        let bytes = workbook(&[
            ["序号", "党组织名称", "类别"],
            ["1", "长兴村党支部", "村"],
            ["2", "东门社区党支部", ""],
        ]);
        let orgs = read_organizations("名单.xlsx", &bytes).unwrap();
        assert_eq!(
            triples(&orgs),
            [("1", "长兴村党支部", "村"), ("2", "东门社区党支部", "")]
        );
        let bytes = workbook(&[
            ["序号", "党组织名称", "类别"],
            ["1", "长兴村党支部", "村"],
            ["2", "长兴村党支部", ""],
        ]);
        let err = read_organizations("名单.xlsx", &bytes)
            .unwrap_err()
            .message(Lang::En);
        assert!(
            err.contains("名单.xlsx:5: column \"党组织名称\": value \"长兴村党支部\": duplicate name, first on line 4"),
            "{err}"
        );
    }
}
