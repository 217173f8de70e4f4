//! Drawing one frame from the app state: the tab bar, the tab's body, the banner of a void
//! round, the message line, the key hints and the status bar, and whatever overlay covers
//! the tab. Nothing here changes state.

use super::app::App;
use super::keymap;
use super::strings::{self, S};
use super::theme;
use super::ui_state::{Overlay, Question, Tab};
use super::{ballots, entry, files_tab, projector, ranking_tab, tally_tab, verify};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Tabs, Wrap};
use ratatui::Frame;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if let Some(state) = app.projector() {
        let shown = projector::Shown {
            config: &app.meeting().config,
            ranking: app.ranking(),
            tally: app.tally(),
            finalised: app.counts().finalised,
            void_round: app.counts().void_round(),
            lang: app.lang(),
        };
        projector::render(state, &shown, frame, area);
        if *app.overlay() == Overlay::Help {
            render_help(app, frame, area);
        }
        return;
    }
    let config = &app.meeting().config;
    let quorum_breach = config.attendance.quorum_breach(config.quorum);
    let banner = app.counts().void_round() || quorum_breach.is_some();
    let [tabs, body, banner_area, message, footer, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(u16::from(banner)),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_tabs(app, frame, tabs);
    let shown = app.shown();
    match app.tab() {
        Tab::Entry => entry::render(app.entry(), &shown, frame, body),
        Tab::Verify => verify::render(app.verify(), &shown, frame, body),
        Tab::Ballots => ballots::render(app.ballots(), &shown, frame, body),
        Tab::Tally => tally_tab::render(app.tally_view(), &shown, frame, body),
        Tab::Ranking => ranking_tab::render(app.ranking_view(), &shown, frame, body),
        Tab::Files => files_tab::render(app.files(), &shown, frame, body),
    }
    if banner {
        // The void round first; a quorum not met is said the same way.
        let text = match &quorum_breach {
            Some(breach) if !app.counts().void_round() => breach.get(app.lang()).to_string(),
            _ => strings::void_banner(
                app.lang(),
                app.counts().collected,
                app.counts().issued.unwrap_or_default(),
            ),
        };
        frame.render_widget(
            Paragraph::new(Line::from(text).centered()).style(theme::banner()),
            banner_area,
        );
    }
    render_message(app, frame, message);
    render_footer(app, frame, footer);
    render_status(app, frame, status);
    match app.overlay() {
        Overlay::None => {}
        Overlay::Help => render_help(app, frame, area),
        Overlay::Prompt(prompt) => {
            let mut lines = vec![Line::from(prompt.question(app.lang()))];
            // A selected value is shown reversed: typing replaces it.
            let input = if prompt.selected {
                vec![
                    Span::styled(prompt.input.clone(), theme::selected_input()),
                    Span::styled("▏", theme::cursor()),
                ]
            } else {
                vec![Span::styled(format!("{}▏", prompt.input), theme::cursor())]
            };
            let mut spans = vec![Span::raw("> ")];
            spans.extend(input);
            lines.push(Line::from(spans));
            render_popup(frame, area, &lines, S::PromptTitle.get(app.lang()));
        }
        Overlay::Confirm(question) => {
            let text = match question {
                Question::SaveWithBlanks => {
                    strings::ask_save_blank(app.lang(), app.entry().form.untyped())
                }
                Question::Quit if !app.half_typed() && app.importing() => {
                    S::AskQuitImporting.get(app.lang()).to_string()
                }
                Question::Quit => S::AskQuit.get(app.lang()).to_string(),
                Question::Discard => S::AskDiscard.get(app.lang()).to_string(),
                Question::Finalise(_) => S::AskFinalise.get(app.lang()).to_string(),
                Question::Import => S::AskImport.get(app.lang()).to_string(),
                Question::ExportVoid(_) => S::AskExportVoid.get(app.lang()).to_string(),
                Question::Undo(serial) => strings::ask_undo(app.lang(), *serial),
            };
            let mut lines = vec![Line::from(text)];
            if let Question::Finalise(warnings) = question {
                for warning in warnings.texts() {
                    lines.push(Line::styled(
                        warning.get(app.lang()).to_string(),
                        theme::error(),
                    ));
                }
            }
            lines.push(Line::from(Span::styled(
                S::YesNo.get(app.lang()),
                theme::key(),
            )));
            render_popup(frame, area, &lines, S::ConfirmTitle.get(app.lang()));
        }
    }
}

fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let title = |i: usize, tab: &Tab| format!("F{} {}", i + 1, tab.title().get(app.lang()));
    let titles: Vec<String> = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| title(i, t))
        .collect();
    let width = |titles: &[String], extra: usize| -> usize {
        titles
            .iter()
            .map(|t| Line::raw(t.as_str()).width() + extra)
            .sum()
    };
    let room = usize::from(area.width);
    // A space either side of each title while they all fit; one space between them when
    // not; on a screen narrower still (60 columns in English) the other tabs show their
    // keys only, so no tab is cut off the end and the one shown keeps its name.
    let (titles, padding, divider) = if width(&titles, 2) <= room {
        (titles, " ", "")
    } else if width(&titles, 1) <= room + 1 {
        (titles, "", " ")
    } else {
        let keys_only = Tab::ALL
            .iter()
            .enumerate()
            .map(|(i, tab)| {
                if *tab == app.tab() {
                    title(i, tab)
                } else {
                    format!("F{}", i + 1)
                }
            })
            .collect();
        (keys_only, "", " ")
    };
    let tabs = Tabs::new(titles)
        .select(app.tab().index())
        .highlight_style(theme::tab_selected())
        .padding(padding, padding)
        .divider(divider);
    frame.render_widget(tabs, area);
}

fn render_message(app: &App, frame: &mut Frame, area: Rect) {
    let line = match app.message() {
        Some(message) => Line::styled(
            message.text.get(app.lang()).to_string(),
            if message.error {
                theme::error()
            } else {
                theme::ok()
            },
        ),
        None => Line::raw(""),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let scale = &app.meeting().config.scale;
    let hints: Vec<(String, String)> = keymap::footer(&app.scopes(), scale)
        .into_iter()
        .map(|(keys, help)| (keys, format!(" {}  ", help.get(app.lang()))))
        .collect();
    let width_of = |(keys, text): &(String, String)| {
        Line::from(vec![Span::raw(keys.as_str()), Span::raw(text.trim_end())]).width()
    };
    // Whole hints only, in the key table's order: one that does not fit is left out, so no
    // hint is ever cut in the middle; room is kept for `?`, whose overlay lists every key.
    let help_room = hints
        .iter()
        .find(|(keys, _)| keys == "?")
        .map_or(0, |hint| width_of(hint) + 2);
    let mut spans = Vec::new();
    let mut used = 0;
    let mut help_shown = false;
    for hint in hints {
        let width = width_of(&hint);
        let is_help = hint.0 == "?";
        let reserve = if is_help || help_shown { 0 } else { help_room };
        if used + width + reserve > usize::from(area.width) {
            continue;
        }
        used += width + 2;
        help_shown |= is_help;
        let (keys, text) = hint;
        spans.push(Span::styled(keys, theme::key()));
        spans.push(Span::raw(text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang();
    let counts = app.counts();
    // Segments in order of importance; the last saved is left out when the line is short.
    let mut segments = vec![
        Span::raw(strings::status_counts(
            lang,
            counts.valid,
            counts.invalid,
            counts.valid + counts.invalid,
        )),
        Span::raw(strings::status_collected(
            lang,
            counts.collected,
            counts.issued,
        )),
        Span::raw(strings::verified_progress(
            lang,
            counts.verified,
            counts.valid + counts.invalid,
            counts.disputed,
        )),
    ];
    let attendance = app.meeting().config.attendance;
    if !attendance.is_empty() {
        let figure = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
        let text = match lang {
            crate::lang::Lang::En => format!(
                "present {}/{}",
                figure(attendance.present),
                figure(attendance.expected)
            ),
            crate::lang::Lang::Zh => format!(
                "实到 {}/应到 {}",
                figure(attendance.present),
                figure(attendance.expected)
            ),
        };
        segments.insert(2, Span::raw(text));
    }
    let saved = app
        .last_saved()
        .map(|(serial, at)| Span::raw(strings::last_saved(lang, serial, at.elapsed())));
    if counts.finalised {
        segments.push(Span::styled(
            format!(" {} ", S::Final.get(lang)),
            theme::finalised(),
        ));
    }
    segments.push(Span::raw(S::LanguageName.get(lang)));
    let join = |segments: &[Span<'static>], separator: &'static str| {
        let mut spans = vec![Span::raw(separator)];
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(separator));
            }
            spans.push(segment.clone());
        }
        spans.push(Span::raw(" "));
        Line::from(spans)
    };
    let total = counts.valid + counts.invalid;
    // The same segments, the first three (and the verification) said short.
    let verified_at = segments.len() - 2 - usize::from(counts.finalised);
    let mut compact = segments.clone();
    compact[0] = Span::raw(strings::status_counts_short(lang, counts.valid, total));
    compact[1] = Span::raw(strings::status_collected_short(
        lang,
        counts.collected,
        counts.issued,
    ));
    compact[verified_at] = Span::raw(strings::verified_short(
        lang,
        counts.verified,
        total,
        counts.disputed,
    ));
    let mut with_saved = segments.clone();
    if let Some(saved) = saved {
        with_saved.insert(3, saved);
    }
    // The right side, most informative first; the title takes what is left.
    let variants = [
        join(&with_saved, " │ "),
        join(&with_saved, "│"),
        join(&segments, " │ "),
        join(&segments, "│"),
        join(&compact, "│"),
    ];
    let mut left = vec![Span::raw(" ")];
    if let Some(notice) = app.notice() {
        left.push(Span::styled(format!("{} ", notice.get(lang)), theme::key()));
    }
    if app.offline() {
        left.push(Span::styled(
            format!(" {} ", strings::offline(lang)),
            theme::finalised(),
        ));
        left.push(Span::raw(" "));
    } else if !app.stations().is_empty() {
        left.push(Span::styled(
            format!("{} ", strings::stations_seen(lang, app.stations())),
            theme::key(),
        ));
    }
    let title = app.meeting().config.title.as_str();
    let title_width = Line::from(title).width();
    let width = usize::from(area.width);
    let fixed = Line::from(left.clone()).width() + 1;
    // The whole title with the most counts that leave room for it; else a title of at
    // least a quarter of the line (or its whole, when shorter) shortened with "…", with
    // the most counts that leave room for that; else the shortest counts.
    let fits = |line: &Line, title: usize| fixed + title + line.width() <= width;
    let least = title_width.min((width / 4).max(10));
    let right = variants
        .iter()
        .find(|line| fits(line, title_width))
        .or_else(|| variants.iter().find(|line| fits(line, least)))
        .unwrap_or(&variants[variants.len() - 1])
        .clone();
    let room = width.saturating_sub(fixed + right.width());
    left.push(Span::raw(strings::shorten(title, room)));
    let [left_area, right_area] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(right.width() as u16),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme::status()),
        left_area,
    );
    frame.render_widget(Paragraph::new(right).style(theme::status()), right_area);
}

fn render_popup(frame: &mut Frame, area: Rect, lines: &[Line], title: &str) {
    let width = area.width.saturating_sub(4).min(70);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(lines.len() as u16 + 4)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines.to_vec())
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title.to_string())),
        popup,
    );
}

/// The help overlay: the keys of this tab on the left, the keys of every tab on the right,
/// both from the key table.
fn render_help(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang();
    let scale = &app.meeting().config.scale;
    let popup = area.inner(ratatui::layout::Margin::new(0, 1));
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(strings::help_title(lang, app.tab().title().get(lang)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(inner);
    // Sections of keys, each under its heading row: the title, then one per mode of a tab
    // whose keys change with what is being done.
    let table = |title: S, sections: Vec<keymap::HelpSection>, borders: Borders| {
        let heading = |text: S| Row::new(vec![Cell::from(text.get(lang))]).style(theme::header());
        let mut rows = Vec::new();
        for (section, lines) in sections {
            // In the wide column: a table cell spans one column only.
            if let Some(section) = section {
                rows.push(
                    Row::new(vec![Cell::from(""), Cell::from(section.get(lang))])
                        .style(theme::header()),
                );
            }
            rows.extend(lines.into_iter().map(|(keys, help)| {
                Row::new(vec![
                    Cell::from(Span::styled(keys, theme::key())),
                    Cell::from(help.get(lang)),
                ])
            }));
        }
        let table = Table::new(rows, [Constraint::Length(11), Constraint::Fill(1)])
            .block(Block::new().borders(borders));
        table.header(heading(title))
    };
    let (title, sections) = match app.projector() {
        Some(_) => (
            S::HelpProjector,
            keymap::help_sections(&[keymap::Scope::Projector], scale),
        ),
        None => (
            app.tab().title(),
            keymap::help_sections(app.tab().scopes(), scale),
        ),
    };
    frame.render_widget(table(title, sections, Borders::RIGHT), left);
    frame.render_widget(
        table(
            S::Everywhere,
            vec![(
                None,
                keymap::help(&[keymap::Scope::Global, keymap::Scope::Always], scale),
            )],
            Borders::NONE,
        ),
        right,
    );
}
