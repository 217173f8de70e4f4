//! Blank numbered forms (评议表), one A4 form per serial, as they are handed out: the title,
//! the instruction in the meeting's words, a row per organization with a box per option,
//! the serial printed on the form. With `omr`, the boxes are bubbles, the serial and the
//! voter group are bubbles too, corner marks frame the page, and an OMRChecker template
//! (`template.json`) and the map that imports OMRChecker's `Results.csv` (`MAP.toml`) are
//! made for the page rendered at [`OMR_DPI`].
//!
//! The bubbles are placed on a grid of whole pixels at [`OMR_DPI`], so the template's
//! coordinates are exact and the PDF's points are derived from them.

use super::{Align, Op, Page, Typesetter, A4};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::lang::Lang;

/// The resolution the OMR template is for: scan (or render) the forms at this many dots per
/// inch.
pub const OMR_DPI: u32 = 150;
/// Pixels per point at [`OMR_DPI`].
const PX: f32 = OMR_DPI as f32 / 72.0;
/// A bubble's diameter, in pixels at [`OMR_DPI`].
pub const BUBBLE_PX: u32 = 24;
/// From one option's bubble to the next, in pixels.
const OPTION_GAP_PX: u32 = 96;
/// The fewest pixels between two rows of bubbles; fewer and scanning misreads.
const MIN_ROW_PX: u32 = 30;
/// The most pixels between rows (a short list is not spread over the page).
const MAX_ROW_PX: u32 = 44;
/// From one digit's bubble to the next in the serial block, in pixels.
const DIGIT_GAP_PX: u32 = 30;
const MARGIN: f32 = 40.0;
/// Where the header (title, serial, instruction) ends.
const HEADER_BOTTOM: f32 = 118.0;
/// The height of the table's head row.
const HEAD_H: f32 = 18.0;

/// What blank forms are printed for.
pub struct FormsFacts<'a> {
    /// The rules: organizations, scale, groups, limits.
    pub config: &'a Config,
    /// The serials, one form each.
    pub serials: std::ops::RangeInclusive<u64>,
    /// Bubbles, corner marks and a template for form-scanning software.
    pub omr: bool,
    /// The language of the instruction and headings.
    pub lang: Lang,
}

/// A block of bubbles as OMRChecker describes it: fields, each a row of bubbles with
/// `values`, in pixels at [`OMR_DPI`].
#[derive(Debug, Clone, PartialEq)]
pub struct BubbleBlock {
    /// The field labels, in OMRChecker's range syntax (`q1..30`).
    pub field_labels: String,
    /// How many fields.
    pub fields: usize,
    /// What a filled bubble of each position means.
    pub values: Vec<String>,
    /// The top left of the first field's first bubble.
    pub origin: (u32, u32),
    /// From a bubble to the next within a field.
    pub bubbles_gap: u32,
    /// From a field to the next.
    pub labels_gap: u32,
}

impl BubbleBlock {
    /// The top left of bubble `value` of field `field` (0-based), in pixels.
    pub fn bubble(&self, field: usize, value: usize) -> (u32, u32) {
        (
            self.origin.0 + value as u32 * self.bubbles_gap,
            self.origin.1 + field as u32 * self.labels_gap,
        )
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "fieldLabels": [self.field_labels],
            "bubbleValues": self.values,
            "direction": "horizontal",
            "origin": [self.origin.0, self.origin.1],
            "bubblesGap": self.bubbles_gap,
            "labelsGap": self.labels_gap,
        })
    }
}

/// The scanner's view of a form: the blocks of bubbles and the page size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct OmrLayout {
    /// Page width and height in pixels at [`OMR_DPI`].
    pub page: (u32, u32),
    /// One field per organization (`q1`, `q2`, …), a bubble per option key.
    pub marks: BubbleBlock,
    /// One field per digit of the serial (`s1`, …), a bubble per digit 0-9.
    pub serial: BubbleBlock,
    /// The voter group, a bubble per group id, when the meeting has groups.
    pub group: Option<BubbleBlock>,
}

impl OmrLayout {
    /// OMRChecker's `template.json` for this layout: the page as rendered at [`OMR_DPI`],
    /// the serial's digits joined into one `serial` column.
    pub fn template_json(&self) -> String {
        let mut blocks = serde_json::Map::new();
        blocks.insert("Marks".into(), self.marks.json());
        blocks.insert("Serial".into(), self.serial.json());
        if let Some(group) = &self.group {
            blocks.insert("Group".into(), group.json());
        }
        let template = serde_json::json!({
            "pageDimensions": [self.page.0, self.page.1],
            "bubbleDimensions": [BUBBLE_PX, BUBBLE_PX],
            "customLabels": { "serial": [self.serial.field_labels] },
            "fieldBlocks": blocks,
            "preProcessors": [],
        });
        serde_json::to_string_pretty(&template).expect("a JSON value prints") + "\n"
    }

    /// The tallyclerk map that imports OMRChecker's `Results.csv` for this template.
    pub fn map_toml(&self) -> String {
        let mut map = format!(
            "# Imports OMRChecker's Results.csv of forms scanned with template.json ({OMR_DPI} dpi).\n\
             serial = \"serial\"\n\
             numbered = \"q\"\n\
             ignore = [\"file_id\", \"input_path\", \"output_path\", \"score\"]\n"
        );
        if self.group.is_some() {
            map.push_str("group = \"group\"\n");
        }
        map
    }
}

/// The instruction printed on every form, in the meeting's words: one tick per organization,
/// the limits of `max_marks`, what makes a form invalid.
pub fn instruction(config: &Config, lang: Lang, omr: bool) -> String {
    let mark = match (lang, omr) {
        (Lang::En, true) => "fill in one bubble per organization",
        (Lang::En, false) => "tick one box per organization",
        (Lang::Zh, true) => "每个单位涂一个圆圈",
        (Lang::Zh, false) => "每个单位在一个方框内打“√”",
    };
    let mut limits = Vec::new();
    for (option, max) in config.scale.options.iter().zip(&config.rules.max_marks) {
        if let Some(max) = max {
            limits.push(match lang {
                Lang::En => format!("{} at most {max}", option.label_in(lang)),
                Lang::Zh => format!("“{}”最多 {max} 个", option.label),
            });
        }
    }
    match lang {
        Lang::En => {
            let mut text = format!("Please {mark}");
            if !limits.is_empty() {
                text.push_str(&format!(
                    "; {}. A form with more is invalid",
                    limits.join(", ")
                ));
            }
            text.push('.');
            text
        }
        Lang::Zh => {
            let mut text = format!("请{mark}");
            if !limits.is_empty() {
                text.push_str(&format!("；{}，超过的为无效表", limits.join("，")));
            }
            text.push('。');
            text
        }
    }
}

/// The layout of the bubbles (the boxes, without `omr`) for `config`'s forms with serials
/// up to `last`. Refused when the organizations do not fit one page.
pub fn layout(config: &Config, last: u64, omr: bool) -> Result<OmrLayout> {
    let orgs = config.organizations.len();
    let options = config.scale.options.len() as u32;
    let digits = digits(last);
    let page = ((A4.0 * PX).ceil() as u32, (A4.1 * PX).ceil() as u32);
    let serial_top = (HEADER_BOTTOM * PX).round() as u32;
    let first_row_top = ((table_top(digits, omr) + HEAD_H) * PX).round() as u32;
    let bottom = ((A4.1 - MARGIN - 12.0) * PX) as u32;
    let room = bottom.saturating_sub(first_row_top);
    let row = (room / orgs.max(1) as u32).min(MAX_ROW_PX);
    if row < MIN_ROW_PX {
        let most = room / MIN_ROW_PX;
        return Err(Error::user(
            format!("{orgs} organizations do not fit one form page (at most {most}): split the list into meetings of at most {most}"),
            format!("{orgs} 个单位排不进一页评议表（最多 {most} 个）：请把名单拆成每份至多 {most} 个单位"),
        ));
    }
    let margin = (MARGIN * PX) as u32;
    let bubbles_right = page.0 - margin - 20;
    let marks = BubbleBlock {
        field_labels: format!("q1..{orgs}"),
        fields: orgs,
        values: config
            .scale
            .options
            .iter()
            .map(|o| o.key.to_string())
            .collect(),
        origin: (
            bubbles_right - (options - 1) * OPTION_GAP_PX - BUBBLE_PX,
            first_row_top + (row - BUBBLE_PX) / 2,
        ),
        bubbles_gap: OPTION_GAP_PX,
        labels_gap: row,
    };
    let serial_left = page.0 - margin - 10 * DIGIT_GAP_PX;
    let serial = BubbleBlock {
        field_labels: format!("s1..{digits}"),
        fields: digits,
        values: (0..10).map(|d| d.to_string()).collect(),
        origin: (serial_left, serial_top + 14),
        bubbles_gap: DIGIT_GAP_PX,
        labels_gap: DIGIT_GAP_PX,
    };
    let group = (!config.groups.is_empty()).then(|| BubbleBlock {
        field_labels: "group".into(),
        fields: 1,
        values: config.groups.iter().map(|g| g.id.clone()).collect(),
        origin: (margin + 70, serial_top + 14),
        bubbles_gap: ((serial_left - margin - 90) / config.groups.len() as u32).min(260),
        labels_gap: DIGIT_GAP_PX,
    });
    Ok(OmrLayout {
        page,
        marks,
        serial,
        group,
    })
}

/// Digits of the serial printed and bubbled: those of the last serial, at least 3.
fn digits(last: u64) -> usize {
    last.to_string().len().max(3)
}

/// Where the table starts: under the header, and under the serial's bubbles with `omr`.
fn table_top(digits: usize, omr: bool) -> f32 {
    let serial_block = if omr {
        digits as f32 * DIGIT_GAP_PX as f32 / PX + 14.0
    } else {
        0.0
    };
    HEADER_BOTTOM + serial_block + 6.0
}

/// The forms, a page each, and with `omr` the scanner's layout.
pub fn blank_forms(ts: &Typesetter, facts: &FormsFacts) -> Result<(Vec<Page>, Option<OmrLayout>)> {
    let layout = layout(facts.config, *facts.serials.end(), facts.omr)?;
    let pages = facts
        .serials
        .clone()
        .map(|serial| {
            let mut page = Page::a4();
            Form {
                ts,
                facts,
                layout: &layout,
                digits: digits(*facts.serials.end()),
            }
            .draw(serial, &mut page);
            page
        })
        .collect();
    Ok((pages, facts.omr.then_some(layout)))
}

/// A point of the page from a pixel at [`OMR_DPI`].
fn pt(px: u32) -> f32 {
    px as f32 / PX
}

struct Form<'a, 't> {
    ts: &'a Typesetter<'t>,
    facts: &'a FormsFacts<'a>,
    layout: &'a OmrLayout,
    digits: usize,
}

impl Form<'_, '_> {
    fn draw(&self, serial: u64, page: &mut Page) {
        let ts = self.ts;
        let config = self.facts.config;
        let lang = self.facts.lang;
        let omr = self.facts.omr;
        let width = A4.0 - 2.0 * MARGIN;
        if omr {
            // Corner marks: filled squares a scanner aligns the page by.
            let side = 16.0;
            for (x, y) in [
                (22.0, 22.0),
                (A4.0 - 22.0 - side, 22.0),
                (22.0, A4.1 - 22.0 - side),
                (A4.0 - 22.0 - side, A4.1 - 22.0 - side),
            ] {
                page.filled_rect(x, y, side, side);
            }
        }
        ts.place(
            page,
            (MARGIN, 62.0),
            width,
            14.0,
            Align::Center,
            &config.title,
        );
        let form_name = lang.pick("Evaluation form", "评议表");
        ts.place(page, (MARGIN, 82.0), width, 11.0, Align::Center, form_name);
        let serial_text = format!("{serial:0width$}", width = self.digits);
        let number = format!("{}{serial_text}", lang.pick("No. ", "编号："));
        ts.place(page, (MARGIN, 82.0), width, 11.0, Align::Right, &number);
        ts.place(page, (MARGIN, 82.0), width, 9.0, Align::Left, &config.date);
        let mut y = 100.0;
        for line in ts.wrap(&instruction(config, lang, omr), 9.5, width) {
            page.text(MARGIN, y, 9.5, line);
            y += 12.0;
        }
        if omr {
            self.serial_and_group(&serial_text, page);
        } else if !config.groups.is_empty() {
            let labels: Vec<String> = config
                .groups
                .iter()
                .map(|g| format!("□ {}", group_label(g, lang)))
                .collect();
            let text = format!("{}{}", lang.pick("Group: ", "组别："), labels.join("    "));
            page.text(MARGIN, table_top(self.digits, omr) - 8.0, 9.0, text);
        }
        self.rows(page);
    }

    fn bubble(&self, page: &mut Page, (x, y): (u32, u32)) {
        let d = pt(BUBBLE_PX);
        if self.facts.omr {
            page.ops.push(Op::Circle {
                cx: pt(x) + d / 2.0,
                cy: pt(y) + d / 2.0,
                r: d / 2.0 - 0.4,
                stroke: Some(0.8),
                fill: false,
            });
        } else {
            page.rect(pt(x), pt(y), d, d, 0.8);
        }
    }

    /// The serial's digits, a row of bubbles 0-9 each, and the group's bubbles.
    fn serial_and_group(&self, serial_text: &str, page: &mut Page) {
        let ts = self.ts;
        let lang = self.facts.lang;
        let d = pt(BUBBLE_PX);
        let block = &self.layout.serial;
        let label_y = pt(block.origin.1) - 4.0;
        let left = pt(block.origin.0);
        let serial_word = lang.pick("Serial", "编号");
        ts.place(
            page,
            (left - 90.0, label_y),
            84.0,
            8.0,
            Align::Right,
            serial_word,
        );
        for digit in 0..10 {
            let (x, _) = block.bubble(0, digit);
            let label = digit.to_string();
            ts.place(page, (pt(x), label_y), d, 7.0, Align::Center, &label);
        }
        for (field, c) in serial_text.chars().enumerate() {
            let (x, y) = block.bubble(field, 0);
            let baseline = pt(y) + d * 0.75;
            ts.place(
                page,
                (pt(x) - 22.0, baseline),
                14.0,
                8.0,
                Align::Right,
                &c.to_string(),
            );
            for digit in 0..10 {
                self.bubble(page, block.bubble(field, digit));
            }
        }
        if let Some(group) = &self.layout.group {
            let word = lang.pick("Group", "组别");
            ts.place(page, (MARGIN, label_y), 60.0, 8.0, Align::Left, word);
            for (i, g) in self.facts.config.groups.iter().enumerate() {
                let at = group.bubble(0, i);
                self.bubble(page, at);
                let room = pt(group.bubbles_gap) - d - 6.0;
                let label = super::sheet::clip(ts, group_label(g, lang), 8.0, room);
                page.text(pt(at.0) + d + 3.0, pt(at.1) + d * 0.72, 8.0, label);
            }
        }
    }

    /// The table: a row per organization, a bubble (or box) per option.
    fn rows(&self, page: &mut Page) {
        let ts = self.ts;
        let config = self.facts.config;
        let lang = self.facts.lang;
        let marks = &self.layout.marks;
        let d = pt(BUBBLE_PX);
        let top = table_top(self.digits, self.facts.omr);
        let right = A4.0 - MARGIN;
        page.line((MARGIN, top), (right, top), 0.8);
        let head_y = top + HEAD_H - 5.0;
        let no = lang.pick("No.", "序号");
        ts.place(page, (MARGIN, head_y), 24.0, 9.0, Align::Center, no);
        let org = lang.pick("Organization", "单位");
        ts.place(page, (MARGIN + 30.0, head_y), 200.0, 9.0, Align::Left, org);
        for (k, option) in config.scale.options.iter().enumerate() {
            let (x, _) = marks.bubble(0, k);
            let centre = pt(x) + d / 2.0;
            let label = option.label_in(lang);
            ts.place(
                page,
                (centre - 40.0, head_y),
                80.0,
                9.0,
                Align::Center,
                label,
            );
        }
        page.line((MARGIN, top + HEAD_H), (right, top + HEAD_H), 0.5);
        let row_h = pt(marks.labels_gap);
        let rows_top = pt(marks.origin.1) - pt((marks.labels_gap - BUBBLE_PX) / 2);
        let name_room = pt(marks.origin.0) - MARGIN - 40.0;
        for (i, org) in config.organizations.iter().enumerate() {
            let row_top = rows_top + i as f32 * row_h;
            let baseline = row_top + row_h / 2.0 + 3.5;
            let number = (i + 1).to_string();
            ts.place(page, (MARGIN, baseline), 24.0, 9.0, Align::Center, &number);
            let name = super::sheet::clip(ts, &org.name, 10.0, name_room);
            page.text(MARGIN + 30.0, baseline, 10.0, name);
            for k in 0..config.scale.options.len() {
                self.bubble(page, marks.bubble(i, k));
            }
            page.line((MARGIN, row_top + row_h), (right, row_top + row_h), 0.3);
        }
    }
}

/// A group as the form names it: its label in Chinese, its id in English.
fn group_label(group: &crate::model::Group, lang: Lang) -> &str {
    match lang {
        Lang::En => &group.id,
        Lang::Zh => &group.label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Organization;

    fn config(orgs: usize, extra: &str) -> Config {
        let organizations = (1..=orgs)
            .map(|i| Organization {
                id: format!("O{i}"),
                name: format!("第{i}村党支部"),
                category: String::new(),
            })
            .collect();
        Config::from_parts(extra, organizations).unwrap()
    }

    #[test]
    fn bubbles_sit_on_a_grid_of_whole_pixels_that_fits_the_page() {
        let layout = layout(&config(30, ""), 60, true).unwrap();
        // A4 at 150 dpi: 595.28 × 841.89 points → 1241 × 1754 pixels (rounded up).
        assert_eq!(layout.page, (1241, 1754));
        let marks = &layout.marks;
        assert_eq!((marks.fields, marks.values.len()), (30, 4));
        assert_eq!(marks.values, ["A", "B", "C", "D"]);
        let (x, y) = marks.bubble(29, 3);
        assert!(x + BUBBLE_PX < layout.page.0 && y + BUBBLE_PX < layout.page.1);
        assert!(marks.labels_gap >= MIN_ROW_PX && marks.labels_gap <= MAX_ROW_PX);
        // Serial 60 has 3 digits (at least 3), bubbles 0-9 each.
        assert_eq!(layout.serial.fields, 3);
        assert_eq!(layout.serial.bubble(2, 9).1, layout.serial.origin.1 + 60);
        // The serial's bubbles end above the first row of marks.
        assert!(layout.serial.bubble(2, 0).1 + BUBBLE_PX < marks.origin.1);
        assert_eq!(layout.group, None);
    }

    #[test]
    fn too_many_organizations_for_one_page_are_refused_saying_how_many_fit() {
        let e = layout(&config(60, ""), 60, true).unwrap_err();
        let text = e.message(Lang::En);
        assert!(
            text.contains("60 organizations do not fit one form page (at most "),
            "{text}"
        );
    }

    #[test]
    fn the_template_and_the_map_name_the_same_columns() {
        let groups = "groups = [{ id = \"leaders\", label = \"领导\" }, { id = \"members\", label = \"党员\", weight = 0.5 }]\n";
        let layout = layout(&config(5, groups), 1200, true).unwrap();
        let template: serde_json::Value = serde_json::from_str(&layout.template_json()).unwrap();
        assert_eq!(template["pageDimensions"], serde_json::json!([1241, 1754]));
        assert_eq!(template["fieldBlocks"]["Marks"]["fieldLabels"][0], "q1..5");
        assert_eq!(template["customLabels"]["serial"][0], "s1..4");
        assert_eq!(
            template["fieldBlocks"]["Group"]["bubbleValues"],
            serde_json::json!(["leaders", "members"])
        );
        let map = layout.map_toml();
        assert!(map.contains("serial = \"serial\"\n"));
        assert!(map.contains("numbered = \"q\"\n"));
        assert!(map.contains("group = \"group\"\n"));
    }

    #[test]
    fn the_instruction_says_the_limits_in_the_meetings_words() {
        let config = config(3, "[rules]\nmax_marks = { A = 11 }\n");
        assert_eq!(
            instruction(&config, Lang::Zh, false),
            "请每个单位在一个方框内打“√”；“好”最多 11 个，超过的为无效表。"
        );
        assert_eq!(
            instruction(&config, Lang::En, true),
            "Please fill in one bubble per organization; Excellent at most 11. A form with more is invalid."
        );
    }
}
