//! A small meeting in a temp folder, an app over it, key presses and the screen as text.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use tallyclerk::tui::{render, App};
use tallyclerk::{Lang, Meeting};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

/// Organizations of the test meetings: Chinese names, so alignment is exercised.
const NAMES: [&str; 30] = [
    "长兴村党支部",
    "新华村党支部",
    "东山村党支部",
    "西湖社区党支部",
    "南岭村党支部",
    "北港社区党支部",
    "红旗村党支部",
    "青山村党支部",
    "绿水村党支部",
    "和平社区党支部",
    "幸福村党支部",
    "光明社区党支部",
    "振兴村党支部",
    "富民村党支部",
    "团结社区党支部",
    "前进村党支部",
    "民主村党支部",
    "友谊社区党支部",
    "胜利村党支部",
    "建设村党支部",
    "兴旺村党支部",
    "永安社区党支部",
    "长乐村党支部",
    "金星村党支部",
    "华丰机械有限公司党支部",
    "宏达纺织有限公司党支部",
    "恒通物流有限公司党支部",
    "镇机关第一党支部",
    "镇机关第二党支部",
    "镇卫生院党支部",
];

/// A meeting of `orgs` organizations (O01 ...), tiers excellent/better with these quotas,
/// and at most `max_a` marks 好 per ballot.
pub fn meeting(orgs: usize, excellent: usize, better: usize, max_a: usize) -> (TempDir, Meeting) {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,name,category\n");
    for (i, name) in NAMES.iter().take(orgs).enumerate() {
        csv.push_str(&format!("O{:02},{name},village\n", i + 1));
    }
    std::fs::write(dir.path().join("organizations.csv"), csv).unwrap();
    let toml = format!(
        r#"title = "长兴镇2021年度基层党组织书记抓党建述职评议"
date = "2022-02-16"
language = "en"
forms_issued = 40
scale = [
  {{ key = "A", label = "好",   label_en = "Excellent", points = 100 }},
  {{ key = "B", label = "较好", label_en = "Good",      points = 80 }},
  {{ key = "C", label = "一般", label_en = "Fair",      points = 60 }},
  {{ key = "D", label = "差",   label_en = "Poor",      points = 0 }},
]
tiers = [
  {{ name = "excellent", label = "优秀", quota = {excellent} }},
  {{ name = "better",    label = "较好", quota = {better} }},
]
[rules]
max_marks = {{ A = {max_a} }}
"#
    );
    std::fs::write(dir.path().join("meeting.toml"), toml).unwrap();
    let meeting = Meeting::create_store(dir.path()).unwrap();
    (dir, meeting)
}

/// Stores ballots given as marks strings, serials from `first`, through the library.
pub fn add_ballots_from(meeting: &mut Meeting, first: u64, marks: &[&str]) {
    for (i, text) in marks.iter().enumerate() {
        let parsed = tallyclerk::model::parse_marks(text, &meeting.config.scale).unwrap();
        let ballot = tallyclerk::model::Ballot {
            serial: first + i as u64,
            group: None,
            marks: parsed,
        };
        meeting
            .add(&ballot, tallyclerk::store::Source::Typed)
            .unwrap();
    }
}

/// Stores ballots given as marks strings, serials from 1, through the library.
pub fn add_ballots(meeting: &mut Meeting, marks: &[&str]) {
    for (i, text) in marks.iter().enumerate() {
        let parsed = tallyclerk::model::parse_marks(text, &meeting.config.scale).unwrap();
        let ballot = tallyclerk::model::Ballot {
            serial: i as u64 + 1,
            group: None,
            marks: parsed,
        };
        meeting
            .store
            .add(&ballot, tallyclerk::store::Source::Typed)
            .unwrap();
    }
}

/// An app over a meeting, in English.
pub fn app(meeting: Meeting) -> App {
    App::new(meeting, Lang::En).unwrap()
}

/// Presses one key.
pub fn key(app: &mut App, code: KeyCode) {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Presses Ctrl and a letter.
pub fn ctrl(app: &mut App, c: char) {
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// Types each character as a key press.
pub fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Renders the app into a buffer of this size.
pub fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(app, frame)).unwrap();
    terminal.backend().buffer().clone()
}

/// One line of a buffer as text, a wide character taking its cells once.
pub fn line(buffer: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut skip = 0;
    for x in 0..buffer.area.width {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let symbol = buffer[(x, y)].symbol();
        skip = symbol.width().saturating_sub(1);
        out.push_str(symbol);
    }
    out.trim_end().to_string()
}

/// The whole screen as text.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let buffer = draw(app, width, height);
    (0..height)
        .map(|y| line(&buffer, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The position of the first cell of `needle` on screen.
pub fn find(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..buffer.area.height {
        let text = line(buffer, y);
        if let Some(byte) = text.find(needle) {
            // Count cells up to the match: a wide character takes two.
            let x = text[..byte].width() as u16;
            return Some((x, y));
        }
    }
    None
}

/// Three organizations ranked by a composite of the meeting's score and a file's, half each,
/// one form A B C: scores 100, 80, 60; the file's 0, 100, 60; composites 50, 90, 60.
pub fn meeting_ranked_by_a_composite() -> (TempDir, Meeting) {
    let (dir, meeting) = meeting(3, 1, 1, 3);
    drop(meeting);
    let toml = std::fs::read_to_string(dir.path().join("meeting.toml")).unwrap();
    let toml = format!(
        "{}\n[[composite]]\nid = \"meeting\"\nweight = 1\nsource = \"meeting\"\n\
         [[composite]]\nid = \"daily\"\nweight = 1\nfile = \"daily.csv\"\n",
        toml.replace("[rules]\n", "[rules]\nrank_by = \"composite\"\n")
    );
    std::fs::write(dir.path().join("meeting.toml"), toml).unwrap();
    std::fs::write(
        dir.path().join("daily.csv"),
        "org_id,score\nO01,0\nO02,100\nO03,60\n",
    )
    .unwrap();
    let mut meeting = Meeting::open(dir.path()).unwrap();
    add_ballots(&mut meeting, &["ABC"]);
    (dir, meeting)
}
