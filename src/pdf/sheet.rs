//! The tally sheet (测评结果统计表) for the meeting file: the headcount, the ranked table with
//! each option's count and share, the score and the tier, how the score is computed, the
//! tie decisions, the status in large type, the digests that anchor the paper to the store,
//! and signature lines; then the forms report (发出 / 收回 报告单) on a page of its own.
//!
//! The figures are the results CSV's cells ([`crate::export::results_table`]), so the paper
//! and the CSV cannot differ; A4 landscape, the header and the table's head on every page.

use super::{Align, Page, Typesetter};
use crate::config::Config;
use crate::decimal::Ratio;
use crate::export::{results_table, ResultsOptions};
use crate::lang::Lang;
use crate::meeting::Results;
use crate::ranking::{Decision, Replay};
use std::collections::HashMap;

/// A4 landscape, in points.
const PAGE: (f32, f32) = (super::A4.1, super::A4.0);
const MARGIN: f32 = 36.0;
const TOP: f32 = 30.0;
/// Where the footer's baseline is.
const FOOTER_Y: f32 = PAGE.1 - 18.0;
/// The lowest the body may reach.
const BODY_BOTTOM: f32 = PAGE.1 - 34.0;
const BODY: f32 = 8.0;
const LINE: f32 = 10.0;
const THIN: f32 = 0.4;
const THICK: f32 = 1.6;
/// The height the signature lines take.
const SIGNATURES_H: f32 = 66.0;

/// Everything a tally sheet prints.
pub struct SheetFacts<'a> {
    /// The rules.
    pub config: &'a Config,
    /// Counts, ranking, state of the ballot set.
    pub results: &'a Results,
    /// The decisions in force at ties, each with the clerk's reason.
    pub decisions: &'a [(Decision, String)],
    /// Expected and present attendance, each when known.
    pub attendance: (Option<u64>, Option<u64>),
    /// The quorum breach to show like a void round, when there is one.
    pub quorum_breach: Option<crate::error::Text>,
    /// The language of the labels.
    pub lang: Lang,
}

/// The status of the sheet in large type, as the tests and the reader find it.
pub fn status_text(facts: &SheetFacts) -> String {
    let summary = &facts.results.summary;
    let lang = facts.lang;
    let mut status = if summary.void_round() {
        lang.pick(
            "VOID ROUND: more forms collected than issued",
            "本轮无效（VOID ROUND）：收回多于发出",
        )
        .to_string()
    } else if summary.finalised {
        lang.pick("FINAL", "已定稿（FINAL）").to_string()
    } else {
        lang.pick("PROVISIONAL: not final", "未定稿（非最终结果）")
            .to_string()
    };
    if let Some(breach) = &facts.quorum_breach {
        status.push_str(lang.pick(" · ", "；"));
        status.push_str(breach.get(lang));
    }
    status
}

/// The pages of the tally sheet and the forms report, numbered.
pub fn tally_sheet(ts: &Typesetter, facts: &SheetFacts) -> Vec<Page> {
    let lang = facts.lang;
    let mut layout = Layout::new(ts, facts);
    layout.first_page_head();
    layout.table();
    layout.notes();
    layout.signatures(&[
        lang.pick("Counters", "计票人"),
        lang.pick("Scrutineers", "监票人"),
        lang.pick("Person in charge", "负责人"),
    ]);
    layout.forms_report();
    let mut pages = layout.pages;
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let number = match lang {
            Lang::En => format!("Page {} of {total}", i + 1),
            Lang::Zh => format!("第 {} 页 共 {total} 页", i + 1),
        };
        ts.place(
            page,
            (MARGIN, FOOTER_Y),
            PAGE.0 - 2.0 * MARGIN,
            8.0,
            Align::Center,
            &number,
        );
        let anchor = format!(
            "{} sha256:{}",
            lang.pick("ballot set", "评议表集合"),
            &facts.results.summary.digest
        );
        ts.place(
            page,
            (MARGIN, FOOTER_Y),
            PAGE.0 - 2.0 * MARGIN,
            6.0,
            Align::Left,
            &anchor,
        );
    }
    pages
}

/// A column of the table.
struct Column {
    /// The head's upper line (an option's label over its count and share), if any.
    group: Option<String>,
    head: String,
    width: f32,
    align: Align,
    /// Whether the cell wraps onto more lines (names, notes) or is clipped to one.
    wraps: bool,
}

struct Layout<'a, 't> {
    ts: &'a Typesetter<'t>,
    facts: &'a SheetFacts<'a>,
    pages: Vec<Page>,
    y: f32,
    columns: Vec<Column>,
}

impl<'a, 't> Layout<'a, 't> {
    fn new(ts: &'a Typesetter<'t>, facts: &'a SheetFacts<'a>) -> Layout<'a, 't> {
        let mut layout = Layout {
            ts,
            facts,
            pages: Vec::new(),
            y: 0.0,
            columns: columns(facts),
        };
        layout.new_page();
        layout
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page is started first")
    }

    fn width() -> f32 {
        PAGE.0 - 2.0 * MARGIN
    }

    /// Starts a page with the running header: title, sheet name, date and place, status.
    fn new_page(&mut self) {
        let facts = self.facts;
        let lang = facts.lang;
        let config = facts.config;
        self.pages.push(Page {
            size: PAGE,
            ops: Vec::new(),
        });
        let ts = self.ts;
        let y = TOP + 12.0;
        let title = config.title.clone();
        ts.place(
            self.page(),
            (MARGIN, y),
            Self::width(),
            13.0,
            Align::Center,
            &title,
        );
        let mut line = vec![lang.pick("Tally sheet", "测评结果统计表").to_string()];
        if !config.date.is_empty() {
            line.push(format!("{}{}", lang.pick("Date: ", "日期："), config.date));
        }
        if let Some(place) = &config.place {
            line.push(format!("{}{place}", lang.pick("Place: ", "地点：")));
        }
        let line = line.join("    ");
        ts.place(
            self.page(),
            (MARGIN, y + 15.0),
            Self::width(),
            9.0,
            Align::Center,
            &line,
        );
        let status = status_text(facts);
        let short = clip(ts, &status, 8.0, 200.0);
        ts.place(
            self.page(),
            (MARGIN, y + 15.0),
            Self::width(),
            8.0,
            Align::Right,
            &short,
        );
        self.page()
            .line((MARGIN, y + 21.0), (PAGE.0 - MARGIN, y + 21.0), THIN);
        self.y = y + 34.0;
    }

    fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// The status in large type and the headcount block.
    fn first_page_head(&mut self) {
        let facts = self.facts;
        let lang = facts.lang;
        let summary = &facts.results.summary;
        let ts = self.ts;
        let status = status_text(facts);

        let figure = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
        let (expected, present) = facts.attendance;
        let cells = [
            (lang.pick("Expected", "应到"), figure(expected)),
            (lang.pick("Present", "实到"), figure(present)),
            (lang.pick("Forms issued", "发出"), figure(summary.issued)),
            (
                lang.pick("Collected", "收回"),
                figure(Some(summary.collected)),
            ),
            (lang.pick("Valid", "有效"), figure(Some(summary.valid))),
            (lang.pick("Invalid", "无效"), figure(Some(summary.invalid))),
            (
                lang.pick("Set aside", "作废"),
                figure(Some(summary.set_aside)),
            ),
        ];
        let cell_w = 72.0;
        let (x0, y0) = (MARGIN, self.y);
        let page = self.pages.last_mut().expect("a page");
        for (i, (label, value)) in cells.iter().enumerate() {
            let x = x0 + i as f32 * cell_w;
            page.rect(x, y0, cell_w, 30.0, THIN);
            page.line((x, y0 + 14.0), (x + cell_w, y0 + 14.0), THIN);
            ts.place(page, (x, y0 + 10.0), cell_w, BODY, Align::Center, label);
            ts.place(page, (x, y0 + 26.0), cell_w, 11.0, Align::Center, value);
        }
        // The status in large type beside the headcount.
        let status_x = x0 + cells.len() as f32 * cell_w + 14.0;
        let status_w = PAGE.0 - MARGIN - status_x;
        let size = fit_size(ts, &status, 18.0, status_w);
        ts.place(
            page,
            (status_x, y0 + 22.0),
            status_w,
            size,
            Align::Left,
            &status,
        );
        self.y = y0 + 40.0;
    }

    /// The table's head (on every page it runs on).
    fn table_head(&mut self) {
        let ts = self.ts;
        let y = self.y;
        let h = 2.0 * LINE + 7.0;
        let mut x = MARGIN;
        let columns = std::mem::take(&mut self.columns);
        {
            let page = self.page();
            page.line((MARGIN, y), (PAGE.0 - MARGIN, y), THICK / 2.0);
            let mut i = 0;
            while i < columns.len() {
                let column = &columns[i];
                match &column.group {
                    Some(group) => {
                        // An option: its label over its count and share columns.
                        let span: f32 = columns[i..]
                            .iter()
                            .take_while(|c| c.group.as_ref() == Some(group))
                            .map(|c| c.width)
                            .sum();
                        let label = clip(ts, group, BODY, span - 2.0);
                        ts.place(page, (x, y + LINE), span, BODY, Align::Center, &label);
                        let split = y + LINE + 3.0;
                        page.line((x, split), (x + span, split), THIN);
                        page.line((x, y), (x, y + h), THIN);
                        let mut first = true;
                        while i < columns.len() && columns[i].group.as_ref() == Some(group) {
                            let c = &columns[i];
                            let baseline = split + LINE + 1.0;
                            ts.place(page, (x, baseline), c.width, BODY, Align::Center, &c.head);
                            if !first {
                                page.line((x, split), (x, y + h), THIN);
                            }
                            first = false;
                            x += c.width;
                            i += 1;
                        }
                    }
                    None => {
                        let head = clip(ts, &column.head, BODY, column.width - 2.0);
                        ts.place(
                            page,
                            (x, y + 1.5 * LINE),
                            column.width,
                            BODY,
                            Align::Center,
                            &head,
                        );
                        page.line((x, y), (x, y + h), THIN);
                        x += column.width;
                        i += 1;
                    }
                }
            }
            page.line((x, y), (x, y + h), THIN);
            page.line((MARGIN, y + h), (PAGE.0 - MARGIN, y + h), THIN);
        }
        self.columns = columns;
        self.y = y + h;
    }

    /// The ranked table: a row per organization, a thick rule under each tier's last place.
    fn table(&mut self) {
        let facts = self.facts;
        let config = facts.config;
        let results = facts.results;
        let lang = facts.lang;
        let (_, rows) = results_table(config, results, lang, ResultsOptions::default());
        let options = config.scale.options.len();
        // The counts follow `rated`, after the score columns (score, composite parts).
        let first_count = 6 + crate::export::score_columns(config);
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for row in &results.ranking.rows {
            *shared.entry(row.rank).or_default() += 1;
        }
        let mut tier_ends = Vec::new();
        let mut end = 0;
        for tier in &config.tiers {
            end += tier.quota;
            tier_ends.push(end);
        }
        let mut any_shared = false;
        self.table_head();
        for (row, cells) in results.ranking.rows.iter().zip(&rows) {
            let counts = &results.tally.orgs[row.org];
            let rated = i128::from(row.figures.rated.0);
            let rank = if shared[&row.rank] > 1 {
                any_shared = true;
                format!("{}=", cells[0])
            } else {
                cells[0].clone()
            };
            let mut texts = vec![rank, cells[2].clone(), cells[3].clone()];
            for k in 0..options {
                texts.push(cells[first_count + k].clone());
                let share = Ratio::new_or_zero(i128::from(counts.counts[k].0) * 100, rated);
                texts.push(format!("{}%", share.to_fixed(2)));
            }
            // The score, then each file part's score and the composite (with [[composite]]).
            texts.extend(cells[5..first_count - 1].iter().cloned());
            texts.push(cells[4].clone());
            texts.push(cells[cells.len() - 1].clone());
            let thick = tier_ends.contains(&row.place);
            self.table_row(&texts, thick);
        }
        if any_shared {
            let legend = lang.pick("n= : rank shared with others", "n= ：名次并列");
            let y = self.y + LINE;
            self.ts.place(
                self.page(),
                (MARGIN, y),
                Self::width(),
                7.0,
                Align::Left,
                legend,
            );
            self.y = y;
        }
        self.y += 6.0;
    }

    fn table_row(&mut self, texts: &[String], thick: bool) {
        let ts = self.ts;
        let lines: Vec<Vec<String>> = self
            .columns
            .iter()
            .zip(texts)
            .map(|(column, text)| {
                if column.wraps {
                    ts.wrap(text, BODY, column.width - 4.0)
                } else {
                    vec![clip(ts, text, BODY, column.width - 4.0)]
                }
            })
            .collect();
        let height = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * LINE + 2.5;
        if height > self.room() {
            self.new_page();
            self.table_head();
        }
        let y = self.y;
        let mut x = MARGIN;
        let columns = std::mem::take(&mut self.columns);
        {
            let page = self.page();
            for (column, cell) in columns.iter().zip(&lines) {
                for (n, line) in cell.iter().enumerate() {
                    let baseline = y + (n as f32 + 1.0) * LINE - 0.5;
                    ts.place(
                        page,
                        (x + 2.0, baseline),
                        column.width - 4.0,
                        BODY,
                        column.align,
                        line,
                    );
                }
                page.line((x, y), (x, y + height), THIN);
                x += column.width;
            }
            page.line((x, y), (x, y + height), THIN);
            let width = if thick { THICK } else { THIN };
            page.line((MARGIN, y + height), (PAGE.0 - MARGIN, y + height), width);
        }
        self.columns = columns;
        self.y = y + height;
    }

    /// A paragraph wrapped to the page width, on a new page when it does not fit.
    fn paragraph(&mut self, text: &str, size: f32) {
        let ts = self.ts;
        for line in ts.wrap(text, size, Self::width()) {
            if self.room() < size * 1.4 {
                self.new_page();
            }
            self.y += size * 1.4;
            let y = self.y;
            self.page().text(MARGIN, y, size, line);
        }
    }

    /// How the score is computed, the tie decisions with their reasons, the digests.
    fn notes(&mut self) {
        let facts = self.facts;
        let config = facts.config;
        let lang = facts.lang;
        let summary = &facts.results.summary;
        let mut paragraphs = vec![score_rule_text(config, lang), validity_text(config, lang)];
        if !facts.decisions.is_empty() {
            paragraphs.push(
                lang.pick("Decisions at ties:", "名额线并列的裁定：")
                    .to_string(),
            );
            for (i, (decision, reason)) in facts.decisions.iter().enumerate() {
                let lapsed = facts.results.ranking.replay.get(i) == Some(&Replay::Lapsed);
                paragraphs.push(decision_text(config, lang, decision, reason, lapsed));
            }
        }
        paragraphs.push(format!(
            "{}sha256:{}",
            lang.pick("Ballot set digest: ", "评议表集合摘要："),
            summary.digest
        ));
        paragraphs.push(format!(
            "{}{}",
            lang.pick("Head of the audit chain: ", "审计链末端："),
            summary.audit_head
        ));
        // The notes and the signatures under them are kept on one page when they fit one.
        let lines: usize = paragraphs
            .iter()
            .map(|p| self.ts.wrap(p, BODY, Self::width()).len())
            .sum();
        let needed = lines as f32 * BODY * 1.4 + SIGNATURES_H;
        let page_body = BODY_BOTTOM - (TOP + 46.0);
        if needed > self.room() && needed <= page_body {
            self.new_page();
        }
        for paragraph in &paragraphs {
            self.paragraph(paragraph, BODY);
        }
    }

    /// Signature lines for each role, with a date.
    fn signatures(&mut self, roles: &[&str]) {
        let ts = self.ts;
        let lang = self.facts.lang;
        if self.room() < SIGNATURES_H {
            self.new_page();
        }
        let y = self.y + 34.0;
        let cell = Self::width() / roles.len() as f32;
        let page = self.page();
        for (i, role) in roles.iter().enumerate() {
            let x = MARGIN + i as f32 * cell;
            let label = format!("{role}{}", lang.pick(":", "："));
            let w = ts.width(&label, 10.0);
            page.text(x, y, 10.0, label);
            page.line((x + w + 4.0, y + 2.0), (x + cell - 16.0, y + 2.0), THIN);
            let date = lang.pick("Date:", "日期：");
            let dw = ts.width(date, 9.0);
            page.text(x, y + 22.0, 9.0, date);
            page.line((x + dw + 4.0, y + 24.0), (x + cell - 16.0, y + 24.0), THIN);
        }
        self.y = y + 30.0;
    }

    /// The forms report (发出 / 收回 报告单) on its own page, with its own signatures.
    fn forms_report(&mut self) {
        let facts = self.facts;
        let lang = facts.lang;
        let summary = &facts.results.summary;
        self.new_page();
        let ts = self.ts;
        let y = self.y + 16.0;
        let heading = lang.pick("Forms report: issued and collected", "发出 / 收回 报告单");
        ts.place(
            self.page(),
            (MARGIN, y),
            Self::width(),
            16.0,
            Align::Center,
            heading,
        );
        let figure = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
        let (expected, present) = facts.attendance;
        let not_back = summary
            .issued
            .map(|issued| issued.saturating_sub(summary.collected));
        let rows = [
            (
                lang.pick("Attendance expected", "应到人数"),
                figure(expected),
            ),
            (lang.pick("Attendance present", "实到人数"), figure(present)),
            (
                lang.pick("Forms issued", "发出表数"),
                figure(summary.issued),
            ),
            (
                lang.pick("Forms collected", "收回表数"),
                figure(Some(summary.collected)),
            ),
            (lang.pick("Not collected", "未收回"), figure(not_back)),
            (
                lang.pick("Valid forms", "有效表数"),
                figure(Some(summary.valid)),
            ),
            (
                lang.pick("Invalid forms", "无效表数"),
                figure(Some(summary.invalid)),
            ),
            (
                lang.pick("Forms set aside", "作废表数"),
                figure(Some(summary.set_aside)),
            ),
        ];
        let (w_label, w_value) = (220.0, 120.0);
        let x0 = (PAGE.0 - w_label - w_value) / 2.0;
        let mut y = y + 20.0;
        let row_h = 22.0;
        let page = self.pages.last_mut().expect("a page");
        for (label, value) in &rows {
            page.rect(x0, y, w_label, row_h, THIN);
            page.rect(x0 + w_label, y, w_value, row_h, THIN);
            ts.place(
                page,
                (x0 + 8.0, y + 15.0),
                w_label - 16.0,
                11.0,
                Align::Left,
                label,
            );
            ts.place(
                page,
                (x0 + w_label, y + 15.0),
                w_value - 8.0,
                11.0,
                Align::Right,
                value,
            );
            y += row_h;
        }
        self.y = y + 8.0;
        let status = status_text(facts);
        self.paragraph(&status, 11.0);
        self.signatures(&[
            lang.pick("Issued by", "发放人"),
            lang.pick("Collected by", "回收人"),
            lang.pick("Scrutineers", "监票人"),
        ]);
    }
}

/// The columns: rank, organization, category, count and share per option, score (then the
/// composite's file parts and the composite), tier, note; the organization takes what the
/// others leave, at least 90 points.
fn columns(facts: &SheetFacts) -> Vec<Column> {
    let lang = facts.lang;
    let column = |head: &str, width: f32, align: Align, wraps: bool| Column {
        group: None,
        head: head.to_string(),
        width,
        align,
        wraps,
    };
    let mut columns = vec![
        column(lang.pick("Rank", "名次"), 30.0, Align::Center, false),
        column(lang.pick("Organization", "单位"), 0.0, Align::Left, true),
        column(lang.pick("Category", "类别"), 58.0, Align::Left, true),
    ];
    for option in &facts.config.scale.options {
        let label = option.label_in(lang).to_string();
        for (head, width) in [
            (lang.pick("Count", "票数"), 32.0),
            (lang.pick("Share", "占比"), 40.0),
        ] {
            columns.push(Column {
                group: Some(label.clone()),
                ..column(head, width, Align::Right, false)
            });
        }
    }
    columns.push(column(
        lang.pick("Score", "测评得分"),
        44.0,
        Align::Right,
        false,
    ));
    // With [[composite]] parts: each file part's score by its label, then the composite.
    let composite = &facts.config.scoring.composite;
    for part in composite.iter().filter(|p| !p.is_meeting()) {
        let head = match lang {
            Lang::En => &part.id,
            Lang::Zh => &part.label,
        };
        columns.push(column(head, 44.0, Align::Right, false));
    }
    if !composite.is_empty() {
        // Wide enough for "Composite" in full.
        columns.push(column(
            lang.pick("Composite", "综合得分"),
            52.0,
            Align::Right,
            false,
        ));
    }
    columns.push(column(lang.pick("Tier", "等次"), 44.0, Align::Center, true));
    columns.push(column(lang.pick("Note", "备注"), 150.0, Align::Left, true));
    let fixed: f32 = columns.iter().map(|c| c.width).sum();
    let available = PAGE.0 - 2.0 * MARGIN;
    let org = (available - fixed).max(90.0);
    columns[1].width = org;
    // With many options the fixed columns are narrowed alike so the table keeps to the page.
    let total = fixed + org;
    if total > available {
        for c in &mut columns {
            c.width *= available / total;
        }
    }
    columns
}

/// The largest size up to `size` at which `text` fits `width`.
fn fit_size(ts: &Typesetter, text: &str, size: f32, width: f32) -> f32 {
    let w = ts.width(text, size);
    if w <= width {
        size
    } else {
        (size * width / w).max(6.0)
    }
}

/// `text` cut to `width` at `size`, ending in "…" when cut.
pub(super) fn clip(ts: &Typesetter, text: &str, size: f32, width: f32) -> String {
    if ts.width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if ts.width(&out, size) + ts.width("…", size) > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// How the score is computed: the points of each option, the weights of the groups, the
/// order of ranking.
pub fn score_rule_text(config: &Config, lang: Lang) -> String {
    let points: Vec<String> = config
        .scale
        .options
        .iter()
        .map(|o| format!("{} {}", o.label_in(lang), o.points.to_shortest()))
        .collect();
    let weights: Vec<String> = config
        .groups
        .iter()
        .map(|g| format!("{} ×{}", g.label, g.weight.to_shortest()))
        .collect();
    let key = |k: crate::model::RankKey| match k {
        crate::model::RankKey::Score => lang.pick("score", "得分"),
        crate::model::RankKey::TopRate => lang.pick("top rate", "好评率"),
        crate::model::RankKey::ApprovalRate => lang.pick("approval rate", "认可率"),
        crate::model::RankKey::Composite => lang.pick("composite", "综合得分"),
    };
    // Under group_share the groups' weights are shares, not what each form counts for; the
    // scoring statement says so, with the base of the rates and the composite's parts.
    let per_form = config.scoring.weighting == crate::scoring::Weighting::PerForm;
    let statement = crate::scoring::statement(config, lang);
    let scoring: Vec<&String> = statement
        .iter()
        .skip(usize::from(per_form && !config.groups.is_empty()))
        .collect();
    let breakers: Vec<&str> = config.rules.tie_breakers.iter().map(|k| key(*k)).collect();
    match lang {
        Lang::En => {
            let mut text = format!(
                "How the score is computed: points per mark: {}. ",
                points.join(", ")
            );
            if per_form {
                text.push_str("Score = Σ (count × points) ÷ forms that rated the organization (blank and spoiled marks left out), rounded to 2 places; share = count ÷ the same. ");
                if weights.is_empty() {
                    text.push_str("Every valid form counts once. ");
                } else {
                    text.push_str(&format!(
                        "Counts are weighted by voter group: {}. ",
                        weights.join(", ")
                    ));
                }
            } else {
                // Each group's score, combined by the shares the statement below gives.
                text.push_str("A voter group's score = Σ (count × points) ÷ the group's forms that rated the organization (blank and spoiled marks left out); share = count ÷ all the forms that rated it. Every valid form counts once within its voter group. ");
            }
            for line in &scoring {
                text.push_str(&format!("{line}. "));
            }
            text.push_str(&format!("Ranked by {}", key(config.rules.rank_by)));
            if !breakers.is_empty() {
                text.push_str(&format!(", then {}", breakers.join(", then ")));
            }
            text.push('.');
            text
        }
        Lang::Zh => {
            let mut text = format!("计分方法：各档分值 {}；", points.join("、"));
            if per_form {
                text.push_str("测评得分 = Σ（票数 × 分值）÷ 评价该单位的票数（空白、多选不计），保留两位小数；占比 = 票数 ÷ 同一分母。");
                if weights.is_empty() {
                    text.push_str("每张有效表计一票。");
                } else {
                    text.push_str(&format!("票数按组别加权：{}。", weights.join("、")));
                }
            } else {
                text.push_str("各组别得分 = Σ（票数 × 分值）÷ 该组评价该单位的票数（空白、多选不计）；占比 = 票数 ÷ 评价该单位的全部票数。每张有效表在其组别内计一票。");
            }
            for line in &scoring {
                text.push_str(&format!("{line}。"));
            }
            text.push_str(&format!("按{}排序", key(config.rules.rank_by)));
            if !breakers.is_empty() {
                text.push_str(&format!("，相同时依次比较{}", breakers.join("、")));
            }
            text.push('。');
            text
        }
    }
}

/// What makes a form invalid.
pub fn validity_text(config: &Config, lang: Lang) -> String {
    let mut limits: Vec<String> = Vec::new();
    for (option, max) in config.scale.options.iter().zip(&config.rules.max_marks) {
        if let Some(max) = max {
            limits.push(match lang {
                Lang::En => format!("more than {max} marks {}", option.label_in(lang)),
                Lang::Zh => format!("{} 多于 {max} 个", option.label),
            });
        }
    }
    let min = config.rules.min_marked;
    if min > 0 {
        limits.push(match lang {
            Lang::En => format!("fewer than {min} organizations rated"),
            Lang::Zh => format!("评价的单位少于 {min} 个"),
        });
    }
    match lang {
        Lang::En => format!(
            "A form is invalid when it has {}; an invalid form is collected but not counted.",
            limits.join(" or ")
        ),
        Lang::Zh => format!(
            "无效表：{}；无效表计入收回数，不计票。",
            limits.join("，或")
        ),
    }
}

fn decision_text(
    config: &Config,
    lang: Lang,
    decision: &Decision,
    reason: &str,
    lapsed: bool,
) -> String {
    let names: Vec<&str> = decision
        .orgs
        .iter()
        .map(|&o| config.organizations[o].name.as_str())
        .collect();
    let tier = config.tiers[decision.tier].display(lang);
    let places = format!("{}–{}", decision.tie.first, decision.tie.last);
    let lapsed_text = if lapsed {
        lang.pick(" (lapsed: the tie has changed)", "（已失效：并列情况已变）")
    } else {
        ""
    };
    match lang {
        Lang::En => format!(
            "· {} placed {tier} in the tie at places {places}{lapsed_text}. Reason: {reason}",
            names.join(", ")
        ),
        Lang::Zh => format!(
            "· 第 {places} 名并列，裁定 {} 为{tier}{lapsed_text}。理由：{reason}",
            names.join("、")
        ),
    }
}
