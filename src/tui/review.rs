//! Reviewing the record from the Ballots tab: one ballot's history (every version with its
//! reason, source, local time and clerk) and the audit log (every entry, filtered by action
//! and serial, a page at a time, with the state of the store and its chain as `check` finds
//! it). Both read through the meeting's use cases ([`crate::meeting::history`]).

use super::keymap::Action;
use super::paged::Paged;
use super::strings::S;
use super::theme;
use super::ui_state::{Context, Shown};
use crate::error::{Result, Text};
use crate::lang::Lang;
use crate::meeting::history::{audit_clerk, Event, HistoryEntry};
use crate::meeting::Meeting;
use crate::store::{AuditEntry, AuditFilter};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// One ballot's history, open over the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryState {
    /// The ballot's serial.
    pub serial: u64,
    /// Its history, oldest first.
    pub entries: Vec<HistoryEntry>,
    /// The first entry shown.
    pub scroll: usize,
}

impl HistoryState {
    /// Reads the history of the ballot in row `id`.
    pub fn read(meeting: &Meeting, serial: u64, id: i64) -> Result<HistoryState> {
        Ok(HistoryState {
            serial,
            entries: meeting.ballot_history(id)?,
            scroll: 0,
        })
    }

    /// Scrolls the entries.
    pub fn handle(&mut self, action: Action) {
        match action {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => {
                self.scroll = (self.scroll + 1).min(self.entries.len().saturating_sub(1))
            }
            _ => {}
        }
    }
}

/// What happened, in the UI language.
fn event_text(lang: Lang, event: &Event) -> String {
    match (event, lang) {
        (Event::Typed, Lang::En) => "typed".into(),
        (Event::Typed, Lang::Zh) => "录入".into(),
        (Event::Imported(Some(file)), Lang::En) => format!("imported from {file}"),
        (Event::Imported(Some(file)), Lang::Zh) => format!("从 {file} 导入"),
        (Event::Imported(None), Lang::En) => "imported".into(),
        (Event::Imported(None), Lang::Zh) => "导入".into(),
        (Event::Demo, Lang::En) => "demo".into(),
        (Event::Demo, Lang::Zh) => "示例".into(),
        (Event::Edited, Lang::En) => "edited".into(),
        (Event::Edited, Lang::Zh) => "修改".into(),
        (Event::Settled(n), Lang::En) => format!("settled by reading {n}"),
        (Event::Settled(n), Lang::Zh) => format!("按第 {n} 次读取裁定"),
        (Event::SecondKeying, Lang::En) => "second keying".into(),
        (Event::SecondKeying, Lang::Zh) => "第二次录入".into(),
        (Event::FurtherReading(n), Lang::En) => format!("further reading {n}"),
        (Event::FurtherReading(n), Lang::Zh) => format!("第 {n} 次读取"),
        (Event::Withdrawn, Lang::En) => "withdrawn".into(),
        (Event::Withdrawn, Lang::Zh) => "撤回".into(),
        (Event::SetAside, Lang::En) => "set aside".into(),
        (Event::SetAside, Lang::Zh) => "作废搁置".into(),
    }
}

/// The indent of an entry's second and third lines: past its time.
const INDENT: &str = "                     ";

/// Draws a ballot's history.
pub fn render_history(history: &HistoryState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let title = match lang {
        Lang::En => format!("Ballot {} — history, local time", history.serial),
        Lang::Zh => format!("评议表 {} 的修改记录（本地时间）", history.serial),
    };
    let mut lines = vec![Line::styled(title, theme::header())];
    for entry in history.entries.iter().skip(history.scroll) {
        let version = entry
            .version
            .map(|v| format!("v{v} "))
            .unwrap_or_else(|| "   ".into());
        let clerk = entry
            .clerk
            .as_deref()
            .map(|c| match lang {
                Lang::En => format!("  clerk {c}"),
                Lang::Zh => format!("  录入员 {c}"),
            })
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(format!("{}  ", entry.at)),
            Span::styled(version, theme::key()),
            Span::raw(event_text(lang, &entry.event)),
            Span::styled(clerk, theme::dim()),
        ]));
        let (group, marks) = match lang {
            Lang::En => ("group", "marks"),
            Lang::Zh => ("组别", "评价"),
        };
        lines.push(Line::styled(
            format!(
                "{INDENT}{group} {}  {marks} {}",
                entry.group.as_deref().unwrap_or("-"),
                entry.marks
            ),
            theme::dim(),
        ));
        if let Some(reason) = &entry.reason {
            lines.push(Line::raw(match lang {
                Lang::En => format!("{INDENT}reason: {reason}"),
                Lang::Zh => format!("{INDENT}原因：{reason}"),
            }));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The audit log, open over the list.
#[derive(Debug, Clone)]
pub struct AuditState {
    /// The entries around the cursor.
    pub entries: Paged<AuditEntry>,
    /// Which entries are shown.
    pub filter: AuditFilter,
    /// The actions the log holds, to cycle through.
    pub actions: Vec<String>,
    /// What `check` found when the log was opened (or checked again): empty when the store
    /// and its chain are sound.
    pub problems: Vec<Text>,
}

impl AuditState {
    /// Opens the log at its last entries, checking the store as `check` does.
    pub fn open(meeting: &Meeting) -> Result<AuditState> {
        let mut audit = AuditState {
            entries: Paged::default(),
            filter: AuditFilter::default(),
            actions: meeting.audit_actions()?,
            problems: meeting.check()?,
        };
        audit.last(meeting)?;
        Ok(audit)
    }

    fn last(&mut self, meeting: &Meeting) -> Result<()> {
        let filter = &self.filter;
        self.entries
            .last(&mut |key, direction, limit| meeting.audit_page(filter, key, direction, limit))
    }

    /// Handles a key of the audit log.
    pub fn handle(&mut self, action: Action, cx: &mut Context) {
        let meeting: &Meeting = cx.meeting;
        let filter = &self.filter;
        let mut fetch = |key, direction, limit| meeting.audit_page(filter, key, direction, limit);
        let key_of = |entry: &AuditEntry| entry.id;
        let done = match action {
            Action::Up => self.entries.step(-1, key_of, &mut fetch),
            Action::Down => self.entries.step(1, key_of, &mut fetch),
            Action::PageUp => self.entries.step(-10, key_of, &mut fetch),
            Action::PageDown => self.entries.step(10, key_of, &mut fetch),
            Action::Home => self.entries.first(&mut fetch),
            Action::End => self.entries.last(&mut fetch),
            Action::NextActionFilter => {
                let next = match &self.filter.action {
                    None => self.actions.first().cloned(),
                    Some(now) => self
                        .actions
                        .iter()
                        .skip_while(|a| *a != now)
                        .nth(1)
                        .cloned(),
                };
                self.filter.action = next;
                self.last(meeting)
            }
            Action::Recheck => meeting.check().map(|problems| self.problems = problems),
            _ => Ok(()),
        };
        if let Err(e) = done {
            cx.fail(&e);
        }
    }

    /// Shows only the entries about the ballot with the serial typed; nothing typed shows
    /// every entry again.
    pub fn filter_serial(&mut self, input: &str, cx: &mut Context) {
        self.filter.serial = match input {
            "" => None,
            text => match text.parse::<u64>() {
                Ok(serial) => Some(serial),
                Err(_) => {
                    cx.warn(S::SerialNeeded);
                    return;
                }
            },
        };
        if let Err(e) = self.last(cx.meeting) {
            cx.fail(&e);
        }
    }
}

/// Draws the audit log.
pub fn render_audit(audit: &AuditState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let state: Vec<Line> = if audit.problems.is_empty() {
        vec![Line::styled(
            match lang {
                Lang::En => "Audit log — check: the store and its chain are sound",
                Lang::Zh => "审计日志 — 检查：数据库与哈希链完好",
            },
            theme::ok(),
        )]
    } else {
        let mut lines = vec![Line::styled(
            match lang {
                Lang::En => format!(
                    "Audit log — check found {} problem(s):",
                    audit.problems.len()
                ),
                Lang::Zh => format!("审计日志 — 检查发现 {} 个问题：", audit.problems.len()),
            },
            theme::error(),
        )];
        lines.extend(
            audit
                .problems
                .iter()
                .take(3)
                .map(|p| Line::styled(format!("  {}", p.get(lang)), theme::error())),
        );
        lines
    };
    let any = match lang {
        Lang::En => "all",
        Lang::Zh => "全部",
    };
    let filter = match lang {
        Lang::En => format!(
            "action: {}   serial: {}   (local time)",
            audit.filter.action.as_deref().unwrap_or(any),
            audit
                .filter
                .serial
                .map_or(any.to_string(), |s| s.to_string())
        ),
        Lang::Zh => format!(
            "操作：{}   编号：{}   （本地时间）",
            audit.filter.action.as_deref().unwrap_or(any),
            audit
                .filter
                .serial
                .map_or(any.to_string(), |s| s.to_string())
        ),
    };
    let [head, filter_area, table_area] = Layout::vertical([
        Constraint::Length(state.len() as u16),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(state), head);
    frame.render_widget(Paragraph::new(filter).style(theme::dim()), filter_area);
    let (time, who, what, detail) = match lang {
        Lang::En => ("Time", "Clerk", "Action", "Detail"),
        Lang::Zh => ("时间", "录入员", "操作", "内容"),
    };
    let header = Row::new(vec![
        Cell::from("#"),
        Cell::from(time),
        Cell::from(who),
        Cell::from(what),
        Cell::from(detail),
    ])
    .style(theme::header());
    let rows = &audit.entries.rows;
    let height = table_area.height.saturating_sub(1) as usize;
    let offset = super::form::scroll_offset(audit.entries.cursor, rows.len(), height);
    let visible = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height.max(1))
        .map(|(i, entry)| {
            let (detail, clerk) = audit_clerk(&entry.detail);
            let row = Row::new(vec![
                Cell::from(entry.id.to_string()),
                Cell::from(entry.at.clone()),
                Cell::from(clerk.unwrap_or("-").to_string()),
                Cell::from(entry.action.clone()),
                Cell::from(detail.to_string()),
            ]);
            if i == audit.entries.cursor {
                row.style(theme::cursor())
            } else {
                row
            }
        });
    let widths = [
        Constraint::Length(5),
        Constraint::Length(19),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(visible, widths).header(header), table_area);
}
