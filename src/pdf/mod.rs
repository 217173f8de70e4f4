//! The PDF files tallyclerk prints: the signed tally sheet ([`sheet`]) and the blank
//! numbered forms with their scanner template ([`forms`]).
//!
//! Pages are laid out here as lists of drawing operations in points, origin at the top left
//! of an A4 page; [`render`] turns them into a PDF with the one font chosen by [`font`],
//! subset to the characters used (krilla does the PDF, the subsetting and the text layer
//! that `pdftotext` and screen readers read back).

pub mod font;
pub mod forms;
pub mod sheet;

use crate::error::{Error, Result};
use font::ChosenFont;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use std::collections::BTreeSet;

/// A4 portrait, in points.
pub const A4: (f32, f32) = (595.28, 841.89);

/// One drawing operation, in points from the top left of the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text whose baseline starts at (`x`, `y`).
    Text {
        /// Left end of the baseline.
        x: f32,
        /// The baseline.
        y: f32,
        /// Font size.
        size: f32,
        /// What is printed.
        text: String,
    },
    /// A straight line.
    Line {
        /// Start.
        from: (f32, f32),
        /// End.
        to: (f32, f32),
        /// Stroke width.
        width: f32,
    },
    /// A rectangle, stroked with `stroke` width when given, filled black when `fill`.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Outline width.
        stroke: Option<f32>,
        /// Filled black.
        fill: bool,
    },
    /// A circle, stroked or filled like a rectangle.
    Circle {
        /// Centre, x.
        cx: f32,
        /// Centre, y.
        cy: f32,
        /// Radius.
        r: f32,
        /// Outline width.
        stroke: Option<f32>,
        /// Filled black.
        fill: bool,
    },
}

/// A page: its size and what is drawn on it.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Width and height in points.
    pub size: (f32, f32),
    /// The operations, in drawing order.
    pub ops: Vec<Op>,
}

/// Horizontal alignment of text in a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// From the left edge.
    Left,
    /// Centred.
    Center,
    /// Up to the right edge.
    Right,
}

impl Page {
    /// An empty A4 page.
    pub fn a4() -> Page {
        Page {
            size: A4,
            ops: Vec::new(),
        }
    }

    /// Text with its baseline starting at (`x`, `y`).
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: impl Into<String>) {
        let text = text.into();
        if !text.is_empty() {
            self.ops.push(Op::Text { x, y, size, text });
        }
    }

    /// A line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.ops.push(Op::Line { from, to, width });
    }

    /// A stroked rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.ops.push(Op::Rect {
            x,
            y,
            w,
            h,
            stroke: Some(width),
            fill: false,
        });
    }

    /// A filled rectangle.
    pub fn filled_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.ops.push(Op::Rect {
            x,
            y,
            w,
            h,
            stroke: None,
            fill: true,
        });
    }
}

/// Measures text in the chosen font: every layout decision (fitting, wrapping, aligning)
/// is made with the font's own advance widths, so what is measured is what is printed.
pub struct Typesetter<'f> {
    face: ttf_parser::Face<'f>,
    units_per_em: f32,
}

impl<'f> Typesetter<'f> {
    /// A typesetter for `font`.
    pub fn new(font: &'f ChosenFont) -> Typesetter<'f> {
        let face = font.face();
        let units_per_em = f32::from(face.units_per_em());
        Typesetter { face, units_per_em }
    }

    /// The width of `text` at `size`, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map(f32::from)
                    .unwrap_or(self.units_per_em / 2.0)
            })
            .sum();
        units * size / self.units_per_em
    }

    /// `text` aligned in the box from `x` of `width`, baseline `y`.
    pub fn place(
        &self,
        page: &mut Page,
        (x, y): (f32, f32),
        width: f32,
        size: f32,
        align: Align,
        text: &str,
    ) {
        let w = self.width(text, size);
        let left = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        page.text(left, y, size, text);
    }

    /// `text` broken into lines no wider than `width` at `size`: between words where there
    /// are spaces, anywhere in Chinese text; a word wider than the line is broken too.
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        // The last place the line may break (after a space), as a byte offset.
        let mut break_at: Option<usize> = None;
        for c in text.chars() {
            line.push(c);
            // A space at the end of a line may hang past its edge.
            if c != ' ' && self.width(&line, size) > width && line.chars().count() > 1 {
                let rest = match break_at {
                    Some(at) if at < line.len() => line.split_off(at),
                    _ => line.pop().map(String::from).unwrap_or_default(),
                };
                lines.push(line.trim_end().to_string());
                line = rest.trim_start().to_string();
                break_at = None;
            }
            if c == ' ' {
                break_at = Some(line.len());
            }
        }
        if !line.trim().is_empty() || lines.is_empty() {
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

/// The characters of `pages` that `font` has no glyph for.
pub fn missing_characters(font: &ChosenFont, pages: &[Page]) -> BTreeSet<char> {
    let face = font.face();
    pages
        .iter()
        .flat_map(|p| &p.ops)
        .filter_map(|op| match op {
            Op::Text { text, .. } => Some(text),
            _ => None,
        })
        .flat_map(|text| text.chars())
        .filter(|c| !c.is_whitespace() && face.glyph_index(*c).is_none())
        .collect()
}

/// The PDF of `pages` set in `font` (subset to the characters used). Refused, naming them,
/// when the font lacks characters the pages print.
pub fn render(font: &ChosenFont, pages: &[Page], title: &str) -> Result<Vec<u8>> {
    let missing = missing_characters(font, pages);
    if !missing.is_empty() {
        let shown: String = missing.iter().take(20).collect();
        return Err(Error::user(
            format!(
                "the font {} has no glyph for {shown}: give a font that has them with --font FILE",
                font.describe()
            ),
            format!(
                "字体 {} 缺少这些字符：{shown}；请用 --font FILE 指定含有它们的字体",
                font.describe()
            ),
        ));
    }
    let data: krilla::Data = font.data.clone().into();
    let pdf_font = Font::new(data, font.index)
        .ok_or_else(|| Error::Internal(format!("krilla cannot read {}", font.describe())))?;
    let mut document = krilla::Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .creator("tallyclerk".to_string()),
    );
    for page in pages {
        let settings = PageSettings::from_wh(page.size.0, page.size.1)
            .ok_or_else(|| Error::Internal("a page of no size".into()))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            draw(&mut surface, &pdf_font, op);
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|e| Error::Internal(format!("writing the PDF: {e:?}")))
}

fn draw(surface: &mut krilla::surface::Surface, font: &Font, op: &Op) {
    let stroke = |width: f32| Stroke {
        width,
        ..Stroke::default()
    };
    match op {
        Op::Text { x, y, size, text } => {
            surface.set_fill(Some(Fill::default()));
            surface.set_stroke(None);
            surface.draw_text(
                Point::from_xy(*x, *y),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Line { from, to, width } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(*width)));
                surface.draw_path(&path);
            }
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            stroke: outline,
            fill,
        } => {
            let Some(rect) = krilla::geom::Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                surface.set_fill(fill.then(Fill::default));
                surface.set_stroke(outline.map(stroke));
                surface.draw_path(&path);
            }
        }
        Op::Circle {
            cx,
            cy,
            r,
            stroke: outline,
            fill,
        } => {
            // Four cubic arcs; 0.5523 is the usual control distance for a quarter circle.
            let k = 0.552_284_8 * r;
            let (cx, cy, r) = (*cx, *cy, *r);
            let mut path = PathBuilder::new();
            path.move_to(cx + r, cy);
            path.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
            path.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
            path.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
            path.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
            path.close();
            if let Some(path) = path.finish() {
                surface.set_fill(fill.then(Fill::default));
                surface.set_stroke(outline.map(stroke));
                surface.draw_path(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_between_words_and_anywhere_in_chinese() {
        let font =
            font::choose_font(None).expect("a CJK font (apt-get install fonts-wqy-microhei)");
        let ts = Typesetter::new(&font);
        let width = ts.width("aaa bbb", 10.0) + 0.1;
        assert_eq!(ts.wrap("aaa bbb ccc", 10.0, width), ["aaa bbb", "ccc"]);
        let width = ts.width("测评结", 10.0) + 0.1;
        assert_eq!(
            ts.wrap("测评结果统计表", 10.0, width),
            ["测评结", "果统计", "表"]
        );
        // A word wider than the line is broken too; an empty text is one empty line.
        let width = ts.width("aa", 10.0) + 0.1;
        assert_eq!(ts.wrap("aaaaa", 10.0, width), ["aa", "aa", "a"]);
        assert_eq!(ts.wrap("", 10.0, width), [""]);
        // Widths scale with the size: twice the size, twice the width.
        let w = ts.width("测评 ab", 8.0);
        assert!((ts.width("测评 ab", 16.0) - 2.0 * w).abs() < 1e-3);
    }

    #[test]
    fn characters_the_font_lacks_are_named_before_anything_is_drawn() {
        let font =
            font::choose_font(None).expect("a CJK font (apt-get install fonts-wqy-microhei)");
        let mut page = Page::a4();
        page.text(10.0, 10.0, 10.0, "测评 \u{10FFFD}");
        assert_eq!(
            missing_characters(&font, &[page.clone()]),
            BTreeSet::from(['\u{10FFFD}'])
        );
        let e = render(&font, &[page], "t").unwrap_err();
        assert!(e.message(crate::Lang::En).contains("has no glyph for"));
        let mut page = Page::a4();
        page.text(10.0, 10.0, 10.0, "测评");
        let pdf = render(&font, &[page], "t").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
