//! The start screen: the UI started outside a meeting folder offers the demo (a practice
//! copy removed on quitting), a meeting folder to open, or a new meeting made from an
//! organization list — asking for the tiers and forms issued as `new` does, with `max_marks`
//! taken from the first tier's quota as `new` takes it. The choices are the library's use
//! cases ([`demo::install_temporary`], [`Meeting::open`], [`Meeting::create`]); this screen
//! only gathers the input and shows the outcome.

use super::path_field::{self, Completion};
use super::theme;
use super::ui_state::Message;
use crate::config;
use crate::demo;
use crate::error::{Error, Text};
use crate::lang::{count_en, Lang};
use crate::meeting::create::{parse_tier, MaxMarks, NewMeeting};
use crate::meeting::Meeting;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A field of the form that creates a meeting, in the order asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The organization list to read (CSV or workbook).
    Organizations,
    /// The meeting folder to create.
    Folder,
    /// The title (blank: the folder's name).
    Title,
    /// The quota tiers, best first, as `new --tier` takes them.
    Tiers,
    /// The forms issued (blank: not known yet).
    Issued,
}

impl Field {
    /// Every field, in the order asked.
    pub const ALL: [Field; 5] = [
        Field::Organizations,
        Field::Folder,
        Field::Title,
        Field::Tiers,
        Field::Issued,
    ];

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Field::Organizations => lang.pick(
                "Organization list (CSV or .xlsx)",
                "组织名单（CSV 或 .xlsx）",
            ),
            Field::Folder => lang.pick("New meeting folder", "新会议文件夹"),
            Field::Title => lang.pick(
                "Title (blank: the folder's name)",
                "标题（留空则用文件夹名）",
            ),
            Field::Tiers => lang.pick(
                "Tiers, best first (e.g. excellent=11 better=5)",
                "等次，从高到低（如 excellent=11 better=5）",
            ),
            Field::Issued => lang.pick(
                "Forms issued (blank: not known yet)",
                "发出评议表数（未知可留空）",
            ),
        }
    }

    fn is_path(self) -> bool {
        matches!(self, Field::Organizations | Field::Folder)
    }
}

/// Where the start screen stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The three choices.
    Menu,
    /// Typing the path of a meeting folder to open.
    Open(String),
    /// Filling in the form that creates a meeting.
    Create {
        /// The text of each field, in [`Field::ALL`] order.
        fields: [String; 5],
        /// The field with the keyboard.
        at: usize,
        /// How many organizations the list named holds, once read.
        organizations: Option<usize>,
    },
}

/// The meeting chosen on the start screen, to run the UI on.
pub struct Chosen {
    /// The meeting, open.
    pub meeting: Meeting,
    /// What to say on the message line when the UI opens.
    pub notice: Option<Text>,
    /// The demo's practice copy: its folder is removed when this is dropped.
    pub practice_copy: Option<TempDir>,
}

/// What a key on the start screen led to.
pub enum Outcome {
    /// Still choosing.
    Stay,
    /// The clerk quit.
    Quit,
    /// A meeting to open.
    Open(Box<Chosen>),
}

/// The start screen's state.
pub struct StartScreen {
    lang: Lang,
    clerk: Option<String>,
    stage: Stage,
    message: Option<Message>,
    candidates: Vec<String>,
}

impl StartScreen {
    /// The menu, in `lang`; a meeting opened gets the station's clerk name, if given.
    pub fn new(lang: Lang, clerk: Option<String>) -> StartScreen {
        StartScreen {
            lang,
            clerk,
            stage: Stage::Menu,
            message: None,
            candidates: Vec::new(),
        }
    }

    /// Where the screen stands.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The language shown.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Handles one terminal event (key presses only).
    pub fn update(&mut self, event: Event) -> Outcome {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => self.on_key(key),
            _ => Outcome::Stay,
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Outcome {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return if key.code == KeyCode::Char('c') {
                Outcome::Quit
            } else {
                Outcome::Stay
            };
        }
        self.message = None;
        match self.stage.clone() {
            Stage::Menu => self.menu_key(key.code),
            Stage::Open(path) => self.open_key(path, key.code),
            Stage::Create {
                fields,
                at,
                organizations,
            } => self.create_key(fields, at, organizations, key.code),
        }
    }

    fn menu_key(&mut self, code: KeyCode) -> Outcome {
        match code {
            KeyCode::Char('1' | 'd') => match demo::install_temporary() {
                Ok((folder, meeting)) => Outcome::Open(Box::new(Chosen {
                    meeting,
                    notice: Some(Text::new(
                        "demo meeting: a practice copy, removed when you quit (`tallyclerk demo DIR` keeps one)",
                        "演示会议：练习副本，退出时删除（`tallyclerk demo DIR` 可保留一份）",
                    )),
                    practice_copy: Some(folder),
                })),
                Err(e) => self.fail(&e),
            },
            KeyCode::Char('2' | 'o') => {
                self.stage = Stage::Open(String::new());
                Outcome::Stay
            }
            KeyCode::Char('3' | 'n') => {
                self.stage = Stage::Create {
                    fields: Default::default(),
                    at: 0,
                    organizations: None,
                };
                Outcome::Stay
            }
            KeyCode::Char('L') => {
                self.lang = self.lang.toggled();
                Outcome::Stay
            }
            KeyCode::Char('q') | KeyCode::Esc => Outcome::Quit,
            _ => Outcome::Stay,
        }
    }

    fn open_key(&mut self, mut path: String, code: KeyCode) -> Outcome {
        match code {
            KeyCode::Esc => {
                self.stage = Stage::Menu;
                self.candidates.clear();
                return Outcome::Stay;
            }
            KeyCode::Enter => {
                let dir = PathBuf::from(path.trim());
                if dir.as_os_str().is_empty() {
                    return self.warn(Text::new("type the meeting folder", "请输入会议文件夹"));
                }
                return match Meeting::open(&dir) {
                    Ok(mut meeting) => {
                        meeting.set_clerk(self.clerk.as_deref());
                        Outcome::Open(Box::new(Chosen {
                            meeting,
                            notice: None,
                            practice_copy: None,
                        }))
                    }
                    Err(e) => self.fail(&e.in_meeting(&dir)),
                };
            }
            KeyCode::Tab => self.complete(&mut path),
            code => self.edit(&mut path, code, false),
        }
        self.stage = Stage::Open(path);
        Outcome::Stay
    }

    fn create_key(
        &mut self,
        mut fields: [String; 5],
        mut at: usize,
        mut organizations: Option<usize>,
        code: KeyCode,
    ) -> Outcome {
        let field = Field::ALL[at];
        match code {
            KeyCode::Esc => {
                self.stage = Stage::Menu;
                self.candidates.clear();
                return Outcome::Stay;
            }
            KeyCode::Up => at = at.saturating_sub(1),
            KeyCode::Down => at = (at + 1).min(Field::ALL.len() - 1),
            KeyCode::Tab if field.is_path() => self.complete(&mut fields[at]),
            KeyCode::Enter => {
                if field == Field::Organizations {
                    organizations = None;
                    match config::load_organizations(Path::new(fields[at].trim())) {
                        Ok(list) => organizations = Some(list.len()),
                        Err(e) => {
                            self.fail(&e);
                            self.stage = Stage::Create {
                                fields,
                                at,
                                organizations,
                            };
                            return Outcome::Stay;
                        }
                    }
                }
                if at + 1 < Field::ALL.len() {
                    at += 1;
                } else {
                    return match self.create(&fields) {
                        Some(chosen) => Outcome::Open(Box::new(chosen)),
                        None => {
                            self.stage = Stage::Create {
                                fields,
                                at,
                                organizations,
                            };
                            Outcome::Stay
                        }
                    };
                }
            }
            code => {
                if field == Field::Organizations {
                    organizations = None;
                }
                self.edit(&mut fields[at], code, field == Field::Issued);
            }
        }
        if Field::ALL[at] != field {
            self.candidates.clear();
        }
        self.stage = Stage::Create {
            fields,
            at,
            organizations,
        };
        Outcome::Stay
    }

    /// Creates the meeting the form describes through the library's `new`; None (with the
    /// reason on the message line) when refused, nothing written then.
    fn create(&mut self, fields: &[String; 5]) -> Option<Chosen> {
        let [organizations, folder, title, tiers, issued] = fields.each_ref().map(|f| f.trim());
        if organizations.is_empty() || folder.is_empty() {
            self.warn(Text::new(
                "the organization list and the new meeting folder are needed",
                "需要组织名单和新会议文件夹",
            ));
            return None;
        }
        let tiers = match parse_tiers(tiers) {
            Ok(tiers) => tiers,
            Err(why) => {
                self.warn(Text::new(format!("tiers: {why}"), format!("等次：{why}")));
                return None;
            }
        };
        let forms_issued = match issued {
            "" => None,
            digits => match digits.parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.warn(Text::new(
                        "forms issued: a whole number, or blank",
                        "发出评议表数：请填整数或留空",
                    ));
                    return None;
                }
            },
        };
        let spec = NewMeeting {
            title: (!title.is_empty()).then(|| title.to_string()),
            forms_issued,
            tiers,
            max_marks: MaxMarks::FirstTierQuota,
            ..NewMeeting::default()
        };
        let folder = PathBuf::from(folder);
        match Meeting::create(&folder, Path::new(organizations), &spec) {
            Ok(mut meeting) => {
                meeting.set_clerk(self.clerk.as_deref());
                // The new meeting opens in the language of this screen, and stays in it.
                let _ = super::language::remember(&folder, self.lang);
                let notice = created_text(&meeting, &spec);
                Some(Chosen {
                    meeting,
                    notice: Some(notice),
                    practice_copy: None,
                })
            }
            Err(e) => {
                self.fail(&e);
                None
            }
        }
    }

    fn edit(&mut self, text: &mut String, code: KeyCode, digits_only: bool) {
        match code {
            KeyCode::Char(c) if !digits_only || c.is_ascii_digit() => {
                text.push(c);
                self.candidates.clear();
            }
            KeyCode::Backspace => {
                text.pop();
                self.candidates.clear();
            }
            _ => {}
        }
    }

    fn complete(&mut self, path: &mut String) {
        match path_field::complete(path) {
            Completion::None => {
                self.warn(Text::new("no file matches", "没有匹配的文件"));
            }
            Completion::Completed {
                path: completed,
                candidates,
            } => {
                *path = completed;
                self.candidates = candidates;
            }
        }
    }

    fn warn(&mut self, text: Text) -> Outcome {
        self.message = Some(Message { text, error: true });
        Outcome::Stay
    }

    fn fail(&mut self, error: &Error) -> Outcome {
        self.warn(Text::new(error.message(Lang::En), error.message(Lang::Zh)))
    }

    /// Draws the start screen.
    pub fn render(&self, frame: &mut Frame) {
        let lang = self.lang;
        let [body, message_area, hint] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        let mut lines = vec![Line::styled(" tallyclerk", theme::header()), Line::raw("")];
        let key = |k: &'static str, text: &'static str| {
            Line::from(vec![
                Span::raw("   "),
                Span::styled(k, theme::key()),
                Span::raw(format!("  {text}")),
            ])
        };
        let hint_text = match &self.stage {
            Stage::Menu => {
                lines.push(Line::raw(lang.pick(
                    " No meeting in this folder. What would you like to do?",
                    " 此文件夹中没有会议。请选择：",
                )));
                lines.push(Line::raw(""));
                lines.push(key(
                    "1",
                    lang.pick(
                        "Open the demo (a practice copy, removed when you quit)",
                        "打开演示会议（练习副本，退出时删除）",
                    ),
                ));
                lines.push(key(
                    "2",
                    lang.pick("Open a meeting folder", "打开会议文件夹"),
                ));
                lines.push(key(
                    "3",
                    lang.pick(
                        "Create a meeting from an organization list",
                        "根据组织名单新建会议",
                    ),
                ));
                lines.push(key("q", lang.pick("Quit", "退出")));
                lang.pick(
                    "1 2 3 choose · L 中文 · q quit",
                    "1 2 3 选择 · L English · q 退出",
                )
            }
            Stage::Open(path) => {
                lines.push(Line::raw(
                    lang.pick(" Open a meeting folder", " 打开会议文件夹"),
                ));
                lines.push(Line::raw(""));
                lines.push(field_line(
                    lang.pick("Meeting folder", "会议文件夹"),
                    path,
                    true,
                ));
                lang.pick(
                    "Enter open · Tab complete · Esc back",
                    "Enter 打开 · Tab 补全 · Esc 返回",
                )
            }
            Stage::Create {
                fields,
                at,
                organizations,
            } => {
                lines.push(Line::raw(lang.pick(
                    " Create a meeting from an organization list",
                    " 根据组织名单新建会议",
                )));
                lines.push(Line::raw(""));
                for (i, field) in Field::ALL.iter().enumerate() {
                    lines.push(field_line(field.label(lang), &fields[i], i == *at));
                    if *field == Field::Organizations {
                        if let Some(n) = organizations {
                            let read = match lang {
                                Lang::En => format!(
                                    "     {} read",
                                    count_en(*n, "organization", "organizations")
                                ),
                                Lang::Zh => format!("     已读取 {n} 个组织"),
                            };
                            lines.push(Line::styled(read, theme::ok()));
                        }
                    }
                }
                lines.push(Line::raw(""));
                lines.push(Line::styled(limit_preview(lang, &fields[3]), theme::dim()));
                lang.pick(
                    "Enter next / create · ↑↓ fields · Tab complete · Esc back",
                    "Enter 下一项/创建 · ↑↓ 切换 · Tab 补全 · Esc 返回",
                )
            }
        };
        if !self.candidates.is_empty() {
            lines.push(Line::styled(
                format!("     {}", self.candidates.join("  ")),
                theme::dim(),
            ));
        }
        frame.render_widget(Paragraph::new(lines), body);
        if let Some(message) = &self.message {
            let style = if message.error {
                theme::error()
            } else {
                theme::ok()
            };
            frame.render_widget(
                Paragraph::new(Line::styled(message.text.get(lang).to_string(), style))
                    .wrap(Wrap { trim: true }),
                message_area,
            );
        }
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {hint_text}"), theme::dim())),
            hint,
        );
    }
}

/// A labelled text field; the one with the keyboard shows the cursor.
fn field_line(label: &str, text: &str, focused: bool) -> Line<'static> {
    let mut spans = vec![Span::raw(format!("   {label}: "))];
    if focused {
        spans.push(Span::styled(format!("{text}▏"), theme::cursor()));
    } else {
        spans.push(Span::raw(text.to_string()));
    }
    Line::from(spans)
}

/// The tiers typed, separated by spaces or commas.
fn parse_tiers(text: &str) -> Result<Vec<crate::model::Tier>, String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|t| !t.is_empty())
        .map(parse_tier)
        .collect()
}

/// What the validity limit will be, as `new` takes it from the first tier.
fn limit_preview(lang: Lang, tiers: &str) -> String {
    let spec = NewMeeting {
        tiers: parse_tiers(tiers).unwrap_or_default(),
        ..NewMeeting::default()
    };
    match spec.derived_limit(&config::default_scale()) {
        Some(limit) => match lang {
            Lang::En => format!(
                "   A form giving more than {max} \"{label}\" ({key}) will be invalid: {tier} has {max} places.",
                max = limit.max,
                label = limit.label_en,
                key = limit.key,
                tier = limit.tier.name
            ),
            Lang::Zh => format!(
                "   一张评议表给出超过 {max} 个\"{label}\"（{key}）即为无效：\"{tier}\"名额为 {max} 个。",
                max = limit.max,
                label = limit.label,
                key = limit.key,
                tier = limit.tier.label
            ),
        },
        None => lang
            .pick(
                "   Without tiers no form is refused for the number of marks it gives.",
                "   不设等次时，不限制每张评议表的选项个数。",
            )
            .to_string(),
    }
}

/// What the UI says on opening a meeting just created.
fn created_text(meeting: &Meeting, spec: &NewMeeting) -> Text {
    let dir = meeting.config.dir.display();
    let n = meeting.config.organizations.len();
    let limit = spec.derived_limit(&meeting.config.scale);
    let (en_limit, zh_limit) = match &limit {
        Some(limit) => (
            format!("; at most {} \"{}\" per form", limit.max, limit.label_en),
            format!("；每张评议表至多 {} 个\"{}\"", limit.max, limit.label),
        ),
        None => (String::new(), String::new()),
    };
    Text::new(
        format!(
            "meeting created in {dir}: {}{en_limit}",
            count_en(n, "organization", "organizations")
        ),
        format!("已在 {dir} 新建会议：{n} 个组织{zh_limit}"),
    )
}
