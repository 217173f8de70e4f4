//! The keys of the terminal UI: one table binding keys to actions per scope.
//!
//! The same table drives three things, so they cannot drift apart: the dispatch of a key
//! press ([`action_for`]), the footer's key hints ([`footer`]) and the `?` help overlay
//! ([`help`]). A scope is where the keyboard focus is (the serial field, the rows of a form, a
//! prompt ...); the app asks for the scopes that are active, most specific first.

use super::strings::S;
use crate::model::Scale;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the keyboard focus is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Keys that work everywhere, even while a text field takes letters.
    Always,
    /// Keys that work everywhere unless a text field takes letters.
    Global,
    /// Entry tab, serial field.
    EntrySerial,
    /// Entry tab, the organization rows of the form.
    EntryRows,
    /// Verify tab, serial field.
    VerifySerial,
    /// Verify tab, the organization rows of the second entry.
    VerifyRows,
    /// Verify tab, a disputed form waiting for its rows to be keyed again.
    VerifyDisputed,
    /// Ballots tab, the list.
    BallotsList,
    /// Ballots tab, one ballot opened.
    BallotDetail,
    /// Ballots tab, one ballot being edited.
    BallotEdit,
    /// Ballots tab, one ballot's history.
    BallotHistory,
    /// Ballots tab, the audit log.
    AuditLog,
    /// Tally tab.
    Tally,
    /// Ranking tab.
    Ranking,
    /// Import/Export tab, the path field.
    FilesInput,
    /// Import/Export tab, outside the path field.
    Files,
    /// A one-line prompt (a reason, a number).
    Prompt,
    /// A yes/no question.
    Confirm,
    /// The help overlay.
    Help,
    /// The projector view.
    Projector,
}

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Quit (asks when a form is half-typed).
    Quit,
    /// Ctrl-C: quit, asking once when a form is half-typed.
    Interrupt,
    /// Switch between Chinese and English.
    ToggleLang,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Next tab.
    NextTab,
    /// Previous tab.
    PrevTab,
    /// Go to the tab at this index.
    GoTab(u8),
    /// Set the number of forms handed out.
    SetIssued,
    /// Cursor up one row.
    Up,
    /// Cursor down one row.
    Down,
    /// Cursor up one page.
    PageUp,
    /// Cursor down one page.
    PageDown,
    /// First row.
    Home,
    /// Last row.
    End,
    /// A digit typed into a number field.
    Digit(u8),
    /// Delete a character, or step back one row of a form.
    Erase,
    /// Enter: accept the field, save the form, open the ballot.
    Accept,
    /// Esc: leave the field or the view.
    Back,
    /// Mark the current row with the option at this index.
    Mark(u8),
    /// Mark the current row blank.
    MarkBlank,
    /// Mark the current row spoiled.
    MarkSpoiled,
    /// The next option key fills the remaining rows.
    Fill,
    /// Withdraw a form typed at this station in this run (asks first).
    Undo,
    /// Cycle the voter group of the form.
    CycleGroup,
    /// Verify: key the disputed rows again from the paper.
    ReadAgain,
    /// Ballots: find a serial.
    Search,
    /// Ballots: edit the ballot.
    Edit,
    /// Ballots: set the paper form aside as void.
    SetAside,
    /// Ballots: withdraw a keying mistake.
    Withdraw,
    /// Ballots: the ballot's history.
    ShowHistory,
    /// Ballots: the audit log.
    ShowAuditLog,
    /// Audit log: show the next action only (after the last, every action).
    NextActionFilter,
    /// Audit log: check the store and its chain again.
    Recheck,
    /// Ranking: select or unselect the organization for a decision.
    ToggleSelect,
    /// Ranking: record a decision for the tie at a cutoff.
    Decide,
    /// Ranking: withdraw the decision of the tier of the row under the cursor.
    Undecide,
    /// Ranking: finalise the meeting.
    Finalise,
    /// Ranking: reopen a finalised meeting.
    Reopen,
    /// Files: focus the path field.
    FocusPath,
    /// Files: focus the map field.
    FocusMap,
    /// Files: complete the file name.
    Complete,
    /// Files: a character typed into the path field or a prompt.
    Type(char),
    /// Files: export the results CSV.
    ExportResults,
    /// Files: export the ballots CSV.
    ExportBallots,
    /// Files: export the results workbook.
    ExportWorkbook,
    /// Ranking: export the tally sheet (PDF) into the meeting folder.
    ExportTallySheet,
    /// Yes to a question.
    Yes,
    /// No to a question.
    No,
    /// Open the projector view.
    OpenProjector,
    /// Projector: show the next tier.
    RevealSection,
    /// Projector: show the next organization.
    RevealOne,
    /// Projector: hide what was shown last.
    HideLast,
    /// Projector: scores and counts on or off.
    ToggleFigures,
    /// Projector: black on white or white on black.
    ToggleLight,
    /// Projector: back to the tabs.
    CloseProjector,
}

/// Which key presses a binding matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// A key without Ctrl or Alt.
    Code(KeyCode),
    /// A character, exactly (Shift is part of the character).
    Char(char),
    /// A character in either case.
    CharAnyCase(char),
    /// Ctrl and a letter.
    Ctrl(char),
    /// Any digit 0-9, giving [`Action::Digit`].
    Digit,
    /// `1`..`n` for the n options of the scale, giving [`Action::Mark`].
    OptionNumber,
    /// An option key of the scale in either case, giving [`Action::Mark`].
    OptionKey,
    /// Any printable character, giving [`Action::Type`].
    Text,
}

/// One line of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub scope: Scope,
    /// The keys.
    pub pattern: Pattern,
    /// What they do; for patterns that carry a value the value is filled in.
    pub action: Action,
    /// The help text.
    pub help: S,
    /// Whether the footer shows it.
    pub footer: bool,
}

const fn bind(scope: Scope, pattern: Pattern, action: Action, help: S, footer: bool) -> Binding {
    Binding {
        scope,
        pattern,
        action,
        help,
        footer,
    }
}

use Pattern::{Char, CharAnyCase, Code, Ctrl, Digit, OptionKey, OptionNumber, Text};
use Scope::*;

/// The key table. Within a scope the first matching line wins.
pub const BINDINGS: &[Binding] = &[
    bind(
        Always,
        Ctrl('c'),
        Action::Interrupt,
        S::HelpInterrupt,
        false,
    ),
    bind(
        Always,
        Code(KeyCode::F(1)),
        Action::GoTab(0),
        S::HelpGoTab,
        false,
    ),
    bind(
        Always,
        Code(KeyCode::F(2)),
        Action::GoTab(1),
        S::HelpGoTab,
        false,
    ),
    bind(
        Always,
        Code(KeyCode::F(3)),
        Action::GoTab(2),
        S::HelpGoTab,
        false,
    ),
    bind(
        Always,
        Code(KeyCode::F(4)),
        Action::GoTab(3),
        S::HelpGoTab,
        false,
    ),
    bind(
        Always,
        Code(KeyCode::F(5)),
        Action::GoTab(4),
        S::HelpGoTab,
        false,
    ),
    bind(
        Always,
        Code(KeyCode::F(6)),
        Action::GoTab(5),
        S::HelpGoTab,
        false,
    ),
    bind(
        Global,
        Code(KeyCode::Tab),
        Action::NextTab,
        S::HelpNextTab,
        false,
    ),
    bind(
        Global,
        Code(KeyCode::BackTab),
        Action::PrevTab,
        S::HelpPrevTab,
        false,
    ),
    bind(Global, Char('?'), Action::ToggleHelp, S::HelpHelp, true),
    bind(Global, Char('L'), Action::ToggleLang, S::HelpLang, false),
    bind(Global, Char('i'), Action::SetIssued, S::HelpIssued, false),
    bind(Global, Char('q'), Action::Quit, S::HelpQuit, true),
    bind(
        Global,
        Char('P'),
        Action::OpenProjector,
        S::HelpProjector,
        false,
    ),
    // The projector view: no hints on screen, the help lists these.
    bind(
        Projector,
        Char(' '),
        Action::RevealSection,
        S::HelpRevealSection,
        false,
    ),
    bind(
        Projector,
        Code(KeyCode::Enter),
        Action::RevealOne,
        S::HelpRevealOne,
        false,
    ),
    bind(
        Projector,
        Code(KeyCode::Right),
        Action::RevealOne,
        S::HelpRevealOne,
        false,
    ),
    bind(
        Projector,
        Code(KeyCode::Backspace),
        Action::HideLast,
        S::HelpHideLast,
        false,
    ),
    bind(
        Projector,
        Code(KeyCode::Left),
        Action::HideLast,
        S::HelpHideLast,
        false,
    ),
    bind(
        Projector,
        CharAnyCase('s'),
        Action::ToggleFigures,
        S::HelpToggleFigures,
        false,
    ),
    bind(
        Projector,
        CharAnyCase('l'),
        Action::ToggleLight,
        S::HelpToggleLight,
        false,
    ),
    bind(
        Projector,
        Code(KeyCode::Esc),
        Action::CloseProjector,
        S::HelpCloseProjector,
        false,
    ),
    bind(
        Projector,
        Char('P'),
        Action::CloseProjector,
        S::HelpCloseProjector,
        false,
    ),
    bind(Projector, Char('q'), Action::Quit, S::HelpQuit, false),
    bind(Projector, Char('?'), Action::ToggleHelp, S::HelpHelp, false),
    bind(Projector, Char('L'), Action::ToggleLang, S::HelpLang, false),
    // Entry: the serial field.
    bind(
        EntrySerial,
        Digit,
        Action::Digit(0),
        S::HelpSerialDigits,
        false,
    ),
    bind(
        EntrySerial,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpSerialErase,
        false,
    ),
    bind(
        EntrySerial,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpSerialAccept,
        true,
    ),
    bind(
        EntrySerial,
        Char('g'),
        Action::CycleGroup,
        S::HelpGroup,
        false,
    ),
    bind(EntrySerial, Char('u'), Action::Undo, S::HelpUndo, true),
    // Entry: the rows of the form. Option keys come first so a scale may use any letter.
    bind(
        EntryRows,
        OptionNumber,
        Action::Mark(0),
        S::HelpOptionNumber,
        true,
    ),
    bind(
        EntryRows,
        OptionKey,
        Action::Mark(0),
        S::HelpOptionKey,
        false,
    ),
    bind(EntryRows, Char('0'), Action::MarkBlank, S::HelpBlank, true),
    bind(EntryRows, Char(' '), Action::MarkBlank, S::HelpBlank, false),
    bind(
        EntryRows,
        Char('*'),
        Action::MarkSpoiled,
        S::HelpSpoiled,
        false,
    ),
    bind(EntryRows, Char('f'), Action::Fill, S::HelpFill, true),
    bind(
        EntryRows,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpStepBack,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::PageUp),
        Action::PageUp,
        S::HelpPage,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::PageDown),
        Action::PageDown,
        S::HelpPage,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::Home),
        Action::Home,
        S::HelpHomeEnd,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::End),
        Action::End,
        S::HelpHomeEnd,
        false,
    ),
    bind(
        EntryRows,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpSave,
        true,
    ),
    bind(
        EntryRows,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpToSerial,
        false,
    ),
    bind(
        EntryRows,
        Char('g'),
        Action::CycleGroup,
        S::HelpGroup,
        false,
    ),
    bind(EntryRows, Char('u'), Action::Undo, S::HelpUndo, false),
    // Verify.
    bind(
        VerifySerial,
        Digit,
        Action::Digit(0),
        S::HelpVerifySerial,
        false,
    ),
    bind(
        VerifySerial,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpSerialErase,
        false,
    ),
    bind(
        VerifySerial,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpVerifyStart,
        true,
    ),
    bind(
        VerifyRows,
        OptionNumber,
        Action::Mark(0),
        S::HelpOptionNumber,
        true,
    ),
    bind(
        VerifyRows,
        OptionKey,
        Action::Mark(0),
        S::HelpOptionKey,
        false,
    ),
    bind(VerifyRows, Char('0'), Action::MarkBlank, S::HelpBlank, true),
    bind(
        VerifyRows,
        Char(' '),
        Action::MarkBlank,
        S::HelpBlank,
        false,
    ),
    bind(
        VerifyRows,
        Char('*'),
        Action::MarkSpoiled,
        S::HelpSpoiled,
        false,
    ),
    bind(VerifyRows, Char('f'), Action::Fill, S::HelpFill, true),
    bind(
        VerifyRows,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpStepBack,
        false,
    ),
    bind(
        VerifyRows,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        VerifyRows,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        VerifyRows,
        Code(KeyCode::PageUp),
        Action::PageUp,
        S::HelpPage,
        false,
    ),
    bind(
        VerifyRows,
        Code(KeyCode::PageDown),
        Action::PageDown,
        S::HelpPage,
        false,
    ),
    bind(
        VerifyRows,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpCompare,
        true,
    ),
    bind(
        VerifyRows,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpAbandon,
        true,
    ),
    bind(
        VerifyRows,
        Char('g'),
        Action::CycleGroup,
        S::HelpGroup,
        true,
    ),
    bind(
        VerifyDisputed,
        Char('t'),
        Action::ReadAgain,
        S::HelpReadAgain,
        true,
    ),
    bind(
        VerifyDisputed,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpLeaveDispute,
        true,
    ),
    // Ballots.
    bind(
        BallotsList,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotsList,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotsList,
        Code(KeyCode::PageUp),
        Action::PageUp,
        S::HelpPage,
        false,
    ),
    bind(
        BallotsList,
        Code(KeyCode::PageDown),
        Action::PageDown,
        S::HelpPage,
        false,
    ),
    bind(
        BallotsList,
        Code(KeyCode::Home),
        Action::Home,
        S::HelpHomeEnd,
        false,
    ),
    bind(
        BallotsList,
        Code(KeyCode::End),
        Action::End,
        S::HelpHomeEnd,
        false,
    ),
    bind(BallotsList, Char('/'), Action::Search, S::HelpSearch, true),
    bind(
        BallotsList,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpOpen,
        true,
    ),
    bind(BallotsList, Char('e'), Action::Edit, S::HelpEdit, true),
    bind(
        BallotsList,
        Char('x'),
        Action::SetAside,
        S::HelpSetAside,
        true,
    ),
    bind(
        BallotsList,
        Char('w'),
        Action::Withdraw,
        S::HelpWithdraw,
        true,
    ),
    bind(
        BallotsList,
        Char('h'),
        Action::ShowHistory,
        S::HelpHistory,
        false,
    ),
    bind(
        BallotsList,
        Char('l'),
        Action::ShowAuditLog,
        S::HelpAuditLog,
        false,
    ),
    bind(
        BallotDetail,
        Code(KeyCode::Enter),
        Action::ShowHistory,
        S::HelpHistory,
        true,
    ),
    bind(
        BallotDetail,
        Char('h'),
        Action::ShowHistory,
        S::HelpHistory,
        false,
    ),
    bind(
        BallotDetail,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotDetail,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(BallotDetail, Char('e'), Action::Edit, S::HelpEdit, true),
    bind(
        BallotDetail,
        Char('x'),
        Action::SetAside,
        S::HelpSetAside,
        true,
    ),
    bind(
        BallotDetail,
        Char('w'),
        Action::Withdraw,
        S::HelpWithdraw,
        true,
    ),
    bind(
        BallotDetail,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpClose,
        true,
    ),
    bind(
        BallotEdit,
        OptionNumber,
        Action::Mark(0),
        S::HelpOptionNumber,
        true,
    ),
    bind(
        BallotEdit,
        OptionKey,
        Action::Mark(0),
        S::HelpOptionKey,
        false,
    ),
    bind(
        BallotEdit,
        Char('0'),
        Action::MarkBlank,
        S::HelpBlank,
        false,
    ),
    bind(
        BallotEdit,
        Char(' '),
        Action::MarkBlank,
        S::HelpBlank,
        false,
    ),
    bind(
        BallotEdit,
        Char('*'),
        Action::MarkSpoiled,
        S::HelpSpoiled,
        false,
    ),
    bind(BallotEdit, Char('f'), Action::Fill, S::HelpFill, false),
    bind(
        BallotEdit,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpStepBack,
        false,
    ),
    bind(
        BallotEdit,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotEdit,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotEdit,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpSaveEdit,
        true,
    ),
    bind(
        BallotEdit,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpAbandon,
        true,
    ),
    // A ballot's history and the audit log, both lists that scroll.
    bind(
        BallotHistory,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotHistory,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        BallotHistory,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpClose,
        true,
    ),
    bind(
        AuditLog,
        Code(KeyCode::Up),
        Action::Up,
        S::HelpUpDown,
        false,
    ),
    bind(
        AuditLog,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        AuditLog,
        Code(KeyCode::PageUp),
        Action::PageUp,
        S::HelpPage,
        false,
    ),
    bind(
        AuditLog,
        Code(KeyCode::PageDown),
        Action::PageDown,
        S::HelpPage,
        false,
    ),
    bind(
        AuditLog,
        Code(KeyCode::Home),
        Action::Home,
        S::HelpHomeEnd,
        false,
    ),
    bind(
        AuditLog,
        Code(KeyCode::End),
        Action::End,
        S::HelpHomeEnd,
        false,
    ),
    bind(
        AuditLog,
        Char('a'),
        Action::NextActionFilter,
        S::HelpFilterAction,
        true,
    ),
    bind(
        AuditLog,
        Char('/'),
        Action::Search,
        S::HelpFilterSerial,
        true,
    ),
    bind(AuditLog, Char('c'), Action::Recheck, S::HelpRecheck, true),
    bind(
        AuditLog,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpClose,
        true,
    ),
    // Tally.
    bind(Tally, Code(KeyCode::Up), Action::Up, S::HelpUpDown, false),
    bind(
        Tally,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        Tally,
        Code(KeyCode::PageUp),
        Action::PageUp,
        S::HelpPage,
        false,
    ),
    bind(
        Tally,
        Code(KeyCode::PageDown),
        Action::PageDown,
        S::HelpPage,
        false,
    ),
    bind(
        Tally,
        CharAnyCase('g'),
        Action::CycleGroup,
        S::HelpTallyGroup,
        false,
    ),
    // Ranking.
    bind(Ranking, Code(KeyCode::Up), Action::Up, S::HelpUpDown, false),
    bind(
        Ranking,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    bind(
        Ranking,
        Code(KeyCode::PageUp),
        Action::PageUp,
        S::HelpPage,
        false,
    ),
    bind(
        Ranking,
        Code(KeyCode::PageDown),
        Action::PageDown,
        S::HelpPage,
        false,
    ),
    bind(
        Ranking,
        Char(' '),
        Action::ToggleSelect,
        S::HelpSelect,
        true,
    ),
    bind(Ranking, Char('d'), Action::Decide, S::HelpDecide, true),
    bind(Ranking, Char('x'), Action::Undecide, S::HelpUndecide, false),
    bind(Ranking, Char('F'), Action::Finalise, S::HelpFinalise, true),
    bind(Ranking, Char('R'), Action::Reopen, S::HelpReopen, true),
    bind(
        Ranking,
        Char('p'),
        Action::ExportTallySheet,
        S::HelpExportTallySheet,
        false,
    ),
    // Import / Export.
    bind(
        FilesInput,
        Code(KeyCode::Tab),
        Action::Complete,
        S::HelpComplete,
        true,
    ),
    bind(
        FilesInput,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpPreview,
        true,
    ),
    bind(
        FilesInput,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpPathErase,
        false,
    ),
    bind(
        FilesInput,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpLeaveField,
        true,
    ),
    bind(FilesInput, Text, Action::Type(' '), S::HelpPathType, false),
    bind(Files, Char('p'), Action::FocusPath, S::HelpFocusPath, true),
    bind(Files, Char('m'), Action::FocusMap, S::HelpFocusMap, false),
    bind(
        Files,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpCancelImport,
        false,
    ),
    bind(
        Files,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpImportConfirm,
        true,
    ),
    bind(
        Files,
        Char('r'),
        Action::ExportResults,
        S::HelpExportResults,
        true,
    ),
    bind(
        Files,
        Char('b'),
        Action::ExportBallots,
        S::HelpExportBallots,
        true,
    ),
    bind(
        Files,
        Char('x'),
        Action::ExportWorkbook,
        S::HelpExportWorkbook,
        true,
    ),
    bind(Files, Code(KeyCode::Up), Action::Up, S::HelpUpDown, false),
    bind(
        Files,
        Code(KeyCode::Down),
        Action::Down,
        S::HelpUpDown,
        false,
    ),
    // A prompt takes text; a question takes y or n; help closes.
    bind(
        Prompt,
        Code(KeyCode::Enter),
        Action::Accept,
        S::HelpPromptAccept,
        true,
    ),
    bind(
        Prompt,
        Code(KeyCode::Esc),
        Action::Back,
        S::HelpCancel,
        true,
    ),
    bind(
        Prompt,
        Code(KeyCode::Backspace),
        Action::Erase,
        S::HelpPathErase,
        false,
    ),
    bind(Prompt, Text, Action::Type(' '), S::HelpPromptType, false),
    bind(Confirm, CharAnyCase('y'), Action::Yes, S::HelpYes, true),
    bind(
        Confirm,
        Code(KeyCode::Enter),
        Action::Yes,
        S::HelpYes,
        false,
    ),
    bind(Confirm, CharAnyCase('n'), Action::No, S::HelpNo, true),
    bind(Confirm, Code(KeyCode::Esc), Action::No, S::HelpNo, false),
    bind(Help, Char('?'), Action::ToggleHelp, S::HelpCloseHelp, true),
    bind(
        Help,
        Code(KeyCode::Esc),
        Action::ToggleHelp,
        S::HelpCloseHelp,
        false,
    ),
    bind(Help, Char('q'), Action::ToggleHelp, S::HelpCloseHelp, false),
];

impl Pattern {
    /// The action for `key` if this pattern matches it, with the value of `template` filled.
    fn matches(self, key: &KeyEvent, scale: &Scale, template: Action) -> Option<Action> {
        let ctrl_or_alt = key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let plain_char = match key.code {
            KeyCode::Char(c) if !ctrl_or_alt => Some(c),
            _ => None,
        };
        match self {
            Pattern::Code(code) => (!ctrl_or_alt && key.code == code).then_some(template),
            Pattern::Char(c) => (plain_char == Some(c)).then_some(template),
            Pattern::CharAnyCase(c) => plain_char
                .filter(|x| x.eq_ignore_ascii_case(&c))
                .map(|_| template),
            Pattern::Ctrl(c) => (key.modifiers.contains(KeyModifiers::CONTROL)
                && key.code == KeyCode::Char(c))
            .then_some(template),
            Pattern::Digit => plain_char
                .and_then(|c| c.to_digit(10))
                .map(|d| Action::Digit(d as u8)),
            Pattern::OptionNumber => plain_char
                .and_then(|c| c.to_digit(10))
                .filter(|&d| d >= 1 && (d as usize) <= scale.len())
                .map(|d| Action::Mark(d as u8 - 1)),
            Pattern::OptionKey => plain_char
                .and_then(|c| scale.index_of_key(c))
                .map(|i| Action::Mark(i as u8)),
            Pattern::Text => plain_char.filter(|c| !c.is_control()).map(Action::Type),
        }
    }

    /// How the keys are written in the footer and the help.
    pub fn label(self, scale: &Scale) -> String {
        match self {
            Pattern::Code(code) => match code {
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::Backspace => "Backspace".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                KeyCode::F(n) => format!("F{n}"),
                other => format!("{other:?}"),
            },
            Pattern::Char(' ') => "Space".into(),
            Pattern::Char(c) => c.to_string(),
            Pattern::CharAnyCase(c) => c.to_string(),
            Pattern::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Pattern::Digit => "0-9".into(),
            Pattern::OptionNumber => format!("1-{}", scale.len()),
            Pattern::OptionKey => {
                let keys: Vec<String> = scale.options.iter().map(|o| o.key.to_string()).collect();
                keys.join("/")
            }
            Pattern::Text => "…".into(),
        }
    }
}

/// The action bound to `key` in the first of `scopes` that binds it.
pub fn action_for(scopes: &[Scope], key: &KeyEvent, scale: &Scale) -> Option<Action> {
    scopes.iter().find_map(|&scope| {
        BINDINGS
            .iter()
            .filter(|b| b.scope == scope)
            .find_map(|b| b.pattern.matches(key, scale, b.action))
    })
}

/// The bindings of `scopes`, one per help text (keys sharing a text are joined), in table
/// order: the help overlay's lines.
pub fn help(scopes: &[Scope], scale: &Scale) -> Vec<(String, S)> {
    let mut lines: Vec<(String, S)> = Vec::new();
    for &scope in scopes {
        for binding in BINDINGS.iter().filter(|b| b.scope == scope) {
            let label = binding.pattern.label(scale);
            match lines.iter_mut().find(|(_, help)| *help == binding.help) {
                Some((keys, _)) => {
                    if !keys.split(' ').any(|k| k == label) {
                        keys.push(' ');
                        keys.push_str(&label);
                    }
                }
                None => lines.push((label, binding.help)),
            }
        }
    }
    for (keys, _) in &mut lines {
        *keys = compress_function_keys(keys);
    }
    lines
}

impl Scope {
    /// The heading of this scope's keys in the help, for a tab whose keys change with what
    /// is being done (typing a serial or a form's rows, say); `None` for a tab of one mode.
    pub fn heading(self) -> Option<S> {
        match self {
            EntrySerial | VerifySerial => Some(S::HelpInSerialField),
            EntryRows | VerifyRows => Some(S::HelpInFormRows),
            VerifyDisputed => Some(S::HelpInDisputedForm),
            BallotsList => Some(S::HelpInList),
            BallotDetail => Some(S::HelpInBallotOpened),
            BallotEdit => Some(S::HelpInBallotEdit),
            BallotHistory => Some(S::HelpInHistory),
            AuditLog => Some(S::HelpInAuditLog),
            FilesInput => Some(S::HelpInPathField),
            Files => Some(S::HelpOutsidePathField),
            Always | Global | Tally | Ranking | Prompt | Confirm | Help | Projector => None,
        }
    }
}

/// Keys of the help under an optional heading: each line is the keys and what they do.
pub type HelpSection = (Option<S>, Vec<(String, S)>);

/// The help of a tab's `scopes`, grouped by mode: each scope that has a heading and keys
/// gives a section of its own (the same key may do different things in two modes), under
/// its heading; scopes without a heading share one section without one.
pub fn help_sections(scopes: &[Scope], scale: &Scale) -> Vec<HelpSection> {
    let mut sections: Vec<HelpSection> = Vec::new();
    for &scope in scopes {
        let keys = help(&[scope], scale);
        if keys.is_empty() {
            continue;
        }
        match (scope.heading(), sections.last_mut()) {
            (None, Some((None, lines))) => lines.extend(keys),
            (heading, _) => sections.push((heading, keys)),
        }
    }
    sections
}

/// `F1 F2 F3 F4 F5 F6` as `F1-F6`, so the help's key column stays narrow.
fn compress_function_keys(keys: &str) -> String {
    let parts: Vec<&str> = keys.split(' ').collect();
    let all_f = parts.len() > 2
        && parts
            .iter()
            .all(|p| p.len() > 1 && p.starts_with('F') && p[1..].parse::<u8>().is_ok());
    match (all_f, parts.first(), parts.last()) {
        (true, Some(first), Some(last)) => format!("{first}-{last}"),
        _ => keys.to_string(),
    }
}

/// The footer's hints for `scopes`: the bindings marked for the footer.
pub fn footer(scopes: &[Scope], scale: &Scale) -> Vec<(String, S)> {
    let mut hints: Vec<(String, S)> = Vec::new();
    for &scope in scopes {
        for binding in BINDINGS.iter().filter(|b| b.scope == scope && b.footer) {
            if !hints.iter().any(|(_, help)| *help == binding.help) {
                hints.push((binding.pattern.label(scale), binding.help));
            }
        }
    }
    hints
}

#[cfg(test)]
mod tests {

    #[test]
    fn help_is_grouped_by_mode_where_a_tab_has_several() {
        let scale = crate::config::default_scale();
        let entry = help_sections(&[EntrySerial, EntryRows], &scale);
        let headings: Vec<Option<S>> = entry.iter().map(|(h, _)| *h).collect();
        assert_eq!(
            headings,
            [Some(S::HelpInSerialField), Some(S::HelpInFormRows)]
        );
        // Backspace does one thing in the serial field and another in the rows: each is
        // listed under its own heading.
        let backspace = |lines: &Vec<(String, S)>| {
            lines
                .iter()
                .filter(|(keys, _)| keys.split(' ').any(|k| k == "Backspace"))
                .count()
        };
        assert_eq!((backspace(&entry[0].1), backspace(&entry[1].1)), (1, 1));
        let tally = help_sections(&[Tally], &scale);
        assert_eq!(tally.len(), 1);
        assert_eq!(tally[0].0, None);
        assert_eq!(tally[0].1, help(&[Tally], &scale));
    }

    use super::*;
    use crate::config::default_scale;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn option_numbers_and_keys_mark_in_either_case() {
        let scale = default_scale();
        let scopes = [EntryRows, Global, Always];
        assert_eq!(
            action_for(&scopes, &press(KeyCode::Char('2')), &scale),
            Some(Action::Mark(1))
        );
        assert_eq!(
            action_for(&scopes, &press(KeyCode::Char('c')), &scale),
            Some(Action::Mark(2))
        );
        assert_eq!(
            action_for(&scopes, &press(KeyCode::Char('D')), &scale),
            Some(Action::Mark(3))
        );
        // 5 is past the four options: no action at all.
        assert_eq!(
            action_for(&scopes, &press(KeyCode::Char('5')), &scale),
            None
        );
    }

    #[test]
    fn a_text_field_takes_letters_that_are_commands_elsewhere() {
        let scale = default_scale();
        let q = press(KeyCode::Char('q'));
        assert_eq!(
            action_for(&[FilesInput, Always], &q, &scale),
            Some(Action::Type('q'))
        );
        assert_eq!(
            action_for(&[Files, Global, Always], &q, &scale),
            Some(Action::Quit)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            action_for(&[FilesInput, Always], &ctrl_c, &scale),
            Some(Action::Interrupt)
        );
    }

    #[test]
    fn help_joins_keys_with_the_same_text() {
        let scale = default_scale();
        let lines = help(&[EntryRows], &scale);
        let blank = lines.iter().find(|(_, s)| *s == S::HelpBlank).unwrap();
        assert_eq!(blank.0, "0 Space");
        let marks = lines.iter().find(|(_, s)| *s == S::HelpOptionKey).unwrap();
        assert_eq!(marks.0, "A/B/C/D");
    }
}
