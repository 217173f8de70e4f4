//! The results as an `.xlsx` workbook laid out to be printed and announced: a title row with
//! the meeting's title and date, the ranked table with tier colours and a line under each
//! tier's last place, column widths that fit Chinese names, and under the table the forms
//! issued, collected, valid, invalid and verified, the ballot-set digest, the head of the
//! store's audit chain and the final / void marks.

use crate::error::{Error, Result};
use crate::export::{results_table, ResultsOptions};
use crate::lang::Lang;
use crate::meeting::{Meeting, Results};
use crate::ranking::{tier_ending_at, Placement};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use unicode_width::UnicodeWidthStr;

/// Tier fills, best first; undecided rows get their own.
const TIER_FILLS: [u32; 4] = [0xC6EFCE, 0xDDEBF7, 0xFFF2CC, 0xEDEDED];
const UNDECIDED_FILL: u32 = 0xFCE4D6;

/// The results workbook as bytes.
pub fn results_workbook(
    meeting: &Meeting,
    results: &Results,
    lang: Lang,
    options: ResultsOptions,
) -> Result<Vec<u8>> {
    let config = &meeting.config;
    let (header, rows) = results_table(config, results, lang, options);
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("writing xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(lang.pick("Results", "评议结果"))
        .map_err(xlsx)?;

    let columns = header.len() as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    sheet
        .merge_range(0, 0, 0, columns - 1, &config.title, &title)
        .map_err(xlsx)?;
    let summary = &results.summary;
    let mut status = config.date.clone();
    if summary.finalised {
        status.push_str(lang.pick("    FINAL", "    最终结果"));
    }
    if summary.void_round() {
        status.push_str(lang.pick(
            "    VOID ROUND: more forms collected than issued",
            "    VOID ROUND 本轮无效：收回多于发出",
        ));
    }
    let breach = config.attendance.quorum_breach(config.quorum);
    if let Some(breach) = &breach {
        status.push_str("    ");
        status.push_str(breach.get(lang));
    }
    let subtitle = Format::new().set_align(FormatAlign::Center);
    sheet
        .merge_range(1, 0, 1, columns - 1, &status, &subtitle)
        .map_err(xlsx)?;

    const HEADER_ROW: u32 = 3;
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    for (col, name) in header.iter().enumerate() {
        sheet
            .write_string_with_format(HEADER_ROW, col as u16, name, &head)
            .map_err(xlsx)?;
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    let note_column = header.len() - 1 - crate::export::by_group_columns(config, options);
    let score_columns = 5..5 + crate::export::score_columns(config);
    for (i, (row, ranked)) in rows.iter().zip(&results.ranking.rows).enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        let fill = match &ranked.placement {
            Placement::Tier(t) => Some(TIER_FILLS[t % TIER_FILLS.len()]),
            Placement::Undecided(_) => Some(UNDECIDED_FILL),
            Placement::NoTier => None,
        };
        // A line under the last place of each tier.
        let last_of_tier = tier_ending_at(config, ranked.place).is_some();
        for (col, cell) in row.iter().enumerate() {
            let mut format = Format::new().set_border(FormatBorder::Thin);
            if let Some(fill) = fill {
                format = format.set_background_color(Color::RGB(fill));
            }
            if last_of_tier {
                format = format.set_border_bottom(FormatBorder::Thick);
            }
            let text_column = col <= 4 || col == note_column;
            match cell.parse::<f64>() {
                Ok(number) if !text_column => {
                    // Scores keep two places and rates four, as in the CSV; counts are plain.
                    let format = match cell.split_once('.') {
                        Some((_, places))
                            if score_columns.contains(&col)
                                || col > note_column
                                || col + 2 >= note_column =>
                        {
                            format.set_num_format(format!("0.{}", "0".repeat(places.len())))
                        }
                        _ => format,
                    };
                    sheet
                        .write_number_with_format(r, col as u16, number, &format)
                        .map_err(xlsx)?;
                }
                _ => {
                    sheet
                        .write_string_with_format(r, col as u16, cell, &format)
                        .map_err(xlsx)?;
                }
            }
            widths[col] = widths[col].max(cell.width());
        }
    }
    for (col, width) in widths.iter().enumerate() {
        sheet
            .set_column_width(col as u16, (*width as f64 + 2.0).min(60.0))
            .map_err(xlsx)?;
    }

    let first_summary_row = HEADER_ROW + rows.len() as u32 + 2;
    let issued = summary.issued.map_or_else(
        || lang.pick("unset", "未设置").to_string(),
        |n| n.to_string(),
    );
    let people = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
    let mut lines = vec![
        (lang.pick("Forms issued", "发出表格"), issued),
        (
            lang.pick("Forms collected", "收回表格"),
            summary.collected.to_string(),
        ),
        (lang.pick("Valid", "有效"), summary.valid.to_string()),
        (lang.pick("Invalid", "无效"), summary.invalid.to_string()),
        (
            lang.pick("Set aside", "作废搁置"),
            summary.set_aside.to_string(),
        ),
        (
            lang.pick("Withdrawn", "撤回"),
            summary.withdrawn.to_string(),
        ),
        (
            lang.pick("Verified", "已核对"),
            summary.verified.to_string(),
        ),
        (
            lang.pick("Ballot set digest", "评议表集摘要"),
            format!("sha256:{}", summary.digest),
        ),
        (
            lang.pick("Audit head", "审计链头"),
            summary.audit_head.clone(),
        ),
        (
            lang.pick("Status", "状态"),
            match (summary.finalised, summary.void_round()) {
                (_, true) => lang.pick("VOID ROUND", "VOID ROUND 本轮无效").to_string(),
                (true, false) => lang.pick("FINAL", "最终结果").to_string(),
                (false, false) => lang.pick("not final", "未定稿").to_string(),
            },
        ),
    ];
    if !config.attendance.is_empty() {
        lines.splice(
            0..0,
            [
                (
                    lang.pick("Attendance expected", "应到人数"),
                    people(config.attendance.expected),
                ),
                (
                    lang.pick("Attendance present", "实到人数"),
                    people(config.attendance.present),
                ),
            ],
        );
    }
    if let Some(breach) = breach {
        lines.push((
            lang.pick("Quorum", "法定人数"),
            breach.get(lang).to_string(),
        ));
    }
    // How the figures were made: the weighting and shares, the rates' base, the composite.
    for line in crate::scoring::statement(config, lang) {
        lines.push((lang.pick("Scoring", "计分方式"), line));
    }
    let label = Format::new().set_bold();
    for (r, (name, value)) in (first_summary_row..).zip(lines) {
        sheet
            .write_string_with_format(r, 1, name, &label)
            .map_err(xlsx)?;
        sheet.write_string(r, 2, &value).map_err(xlsx)?;
    }

    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet
        .set_repeat_rows(HEADER_ROW, HEADER_ROW)
        .map_err(xlsx)?;
    workbook.save_to_buffer().map_err(xlsx)
}
