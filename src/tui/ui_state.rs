//! What the UI's parts share, below the app that owns the state: the tabs, overlays, prompts and
//! questions, the message line, the status bar's counts, and the two things a tab is handed —
//! a [`Context`] to act through (the meeting's use cases, the language, the figures shown,
//! read-only) and a [`Shown`] view to draw from. A tab never changes the app: it asks for
//! [`Effect`]s, which the app alone applies, so no tab module depends on the app or on
//! another tab.

use super::keymap::Scope;
use super::strings::{self, S};
use crate::config::Config;
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::meeting::lifecycle::FinaliseWarnings;
use crate::meeting::Meeting;
use crate::model::Mark;
use crate::ranking::Ranking;
use crate::store::{Count, Store};
use crate::tally::Tally;

/// The tabs, in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Typing forms.
    Entry,
    /// Second entry of forms.
    Verify,
    /// The stored ballots.
    Ballots,
    /// Counts per organization.
    Tally,
    /// The ranking with tiers.
    Ranking,
    /// Import and export of files.
    Files,
}

impl Tab {
    /// All tabs in order.
    pub const ALL: [Tab; 6] = [
        Tab::Entry,
        Tab::Verify,
        Tab::Ballots,
        Tab::Tally,
        Tab::Ranking,
        Tab::Files,
    ];

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|&t| t == self).unwrap_or(0)
    }

    /// The tab's title.
    pub fn title(self) -> S {
        match self {
            Tab::Entry => S::TabEntry,
            Tab::Verify => S::TabVerify,
            Tab::Ballots => S::TabBallots,
            Tab::Tally => S::TabTally,
            Tab::Ranking => S::TabRanking,
            Tab::Files => S::TabFiles,
        }
    }

    /// The scopes whose keys the help overlay lists for this tab.
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            Tab::Entry => &[Scope::EntrySerial, Scope::EntryRows],
            Tab::Verify => &[
                Scope::VerifySerial,
                Scope::VerifyRows,
                Scope::VerifyDisputed,
            ],
            Tab::Ballots => &[
                Scope::BallotsList,
                Scope::BallotDetail,
                Scope::BallotEdit,
                Scope::BallotHistory,
                Scope::AuditLog,
            ],
            Tab::Tally => &[Scope::Tally],
            Tab::Ranking => &[Scope::Ranking],
            Tab::Files => &[Scope::Files, Scope::FilesInput],
        }
    }
}

/// What a one-line prompt asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// The number of forms handed out.
    Issued,
    /// The reason for reopening a finalised meeting.
    Reopen,
    /// The reason for setting this paper form aside.
    SetAsideReason(u64),
    /// The reason for withdrawing this ballot as a keying mistake.
    WithdrawReason(u64),
    /// The clerk's name, kept with each keying and in the audit log (asked once).
    Clerk,
    /// The reason for replacing the marks of this ballot with these.
    EditReason(u64, Vec<Mark>),
    /// A serial to find in the ballots list.
    Search,
    /// The reason for a decision: these organizations take places of this tier.
    DecideReason {
        /// Index of the tier.
        tier: usize,
        /// Indexes of the organizations named.
        orgs: Vec<usize>,
        /// The question, naming them.
        question: Text,
    },
    /// The reason for withdrawing the decisions of this tier.
    UndecideReason {
        /// Index of the tier.
        tier: usize,
        /// The question, naming it.
        question: Text,
    },
}

/// A one-line prompt over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What it asks for.
    pub kind: PromptKind,
    /// What was typed, or the value it starts with.
    pub input: String,
    /// The input is the value it started with, shown selected: the first key typed
    /// replaces it (45 then 39 gives 39, not 4539).
    pub selected: bool,
}

impl Prompt {
    /// A prompt with nothing typed yet.
    pub fn new(kind: PromptKind) -> Prompt {
        Prompt {
            kind,
            input: String::new(),
            selected: false,
        }
    }

    /// A prompt showing the value it starts with, selected, so typing replaces it.
    pub fn prefilled(kind: PromptKind, input: String) -> Prompt {
        Prompt {
            kind,
            selected: !input.is_empty(),
            input,
        }
    }

    /// A character typed: it replaces a selected value, and a prompt for a number takes
    /// digits only.
    pub fn type_char(&mut self, c: char) {
        if self.digits_only() && !c.is_ascii_digit() {
            return;
        }
        if std::mem::take(&mut self.selected) {
            self.input.clear();
        }
        self.input.push(c);
    }

    /// Backspace: erases a selected value whole, else the last character.
    pub fn erase(&mut self) {
        if std::mem::take(&mut self.selected) {
            self.input.clear();
        } else {
            self.input.pop();
        }
    }

    /// Whether the prompt takes digits only.
    pub fn digits_only(&self) -> bool {
        matches!(self.kind, PromptKind::Issued | PromptKind::Search)
    }

    /// The question shown.
    pub fn question(&self, lang: Lang) -> String {
        match &self.kind {
            PromptKind::Issued => S::AskIssued.get(lang).to_string(),
            PromptKind::Reopen => S::AskReopenReason.get(lang).to_string(),
            PromptKind::SetAsideReason(serial) => strings::ask_set_aside_reason(lang, *serial),
            PromptKind::WithdrawReason(serial) => strings::ask_withdraw_reason(lang, *serial),
            PromptKind::Clerk => S::AskClerk.get(lang).to_string(),
            PromptKind::EditReason(serial, _) => strings::ask_edit_reason(lang, *serial),
            PromptKind::Search => S::AskSerial.get(lang).to_string(),
            PromptKind::DecideReason { question, .. }
            | PromptKind::UndecideReason { question, .. } => question.get(lang).to_string(),
        }
    }
}

/// A yes/no question over the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Save the form with its untyped rows blank?
    SaveWithBlanks,
    /// Quit although a form is half-typed, or an import runs?
    Quit,
    /// Leave the half-typed form of the tab shown, discarding its rows?
    Discard,
    /// Finalise the meeting, despite these warnings (if any)?
    Finalise(FinaliseWarnings),
    /// Import the previewed file?
    Import,
    /// Export although the round is void?
    ExportVoid(crate::meeting::files::ExportKind),
    /// Withdraw this form, typed at this station in this run, as a keying mistake?
    Undo(u64),
}

/// What covers the tab, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// Nothing.
    None,
    /// The key help.
    Help,
    /// A prompt.
    Prompt(Prompt),
    /// A question.
    Confirm(Question),
}

/// A message on the message line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text in both languages, so `L` switches it too.
    pub text: Text,
    /// Whether it reports a failure.
    pub error: bool,
}

/// The counts of the ballot set shown in the status bar, kept in step with every change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Forms handed out, when known.
    pub issued: Option<u64>,
    /// Paper forms collected: ballots that count and forms set aside.
    pub collected: u64,
    /// Valid ballots.
    pub valid: u64,
    /// Invalid ballots.
    pub invalid: u64,
    /// Ballots confirmed by a second keying.
    pub verified: u64,
    /// Ballots whose readings disagree.
    pub disputed: u64,
    /// Whether the meeting is finalised.
    pub finalised: bool,
}

impl Counts {
    /// Reads the counts from the store; the digest is not needed here, so its full sorted
    /// pass is not made when the UI opens.
    pub fn read(store: &Store, count: &Count) -> Result<Counts> {
        let ballots = store.ballot_counts_of(count)?;
        Ok(Counts {
            issued: store.issued()?,
            collected: ballots.collected,
            valid: ballots.valid,
            invalid: ballots.invalid,
            verified: ballots.verified,
            disputed: ballots.disputed,
            finalised: store.is_final()?,
        })
    }

    /// More forms collected than issued.
    pub fn void_round(&self) -> bool {
        matches!(self.issued, Some(issued) if self.collected > issued)
    }
}

/// What a tab asks the app to do; the app applies them in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Put this on the message line.
    Message(Message),
    /// Cover the tab with this.
    Open(Overlay),
    /// The store changed here: re-read the figures shown (counts, tally, ranking).
    Refresh,
    /// The store changed wholesale (an import): re-read the figures and let every tab follow.
    Reload,
    /// A form typed at this station was saved under this serial.
    Saved(u64),
    /// A form typed at this station was withdrawn (no longer offered to undo).
    WithdrewTyped(u64),
}

/// What a tab is handed to act: the meeting's use cases, the language, the figures shown
/// (read-only), and a list of the effects it asks for.
pub struct Context<'a> {
    /// The open meeting: every change goes through its use cases.
    pub meeting: &'a mut Meeting,
    /// The UI language.
    pub lang: Lang,
    /// The status bar's counts, as last read.
    pub counts: &'a Counts,
    /// The live ranking, as last read.
    pub ranking: &'a Ranking,
    /// The serials of the forms typed at this station in this run, oldest first.
    pub typed_here: &'a [u64],
    /// Whether an import (not a preview) is under way: it holds the store's write lock.
    importing: bool,
    effects: Vec<Effect>,
}

impl<'a> Context<'a> {
    /// A context with no effects asked for yet.
    pub fn new(
        meeting: &'a mut Meeting,
        lang: Lang,
        counts: &'a Counts,
        ranking: &'a Ranking,
        typed_here: &'a [u64],
        importing: bool,
    ) -> Context<'a> {
        Context {
            meeting,
            lang,
            counts,
            ranking,
            typed_here,
            importing,
            effects: Vec::new(),
        }
    }

    /// The meeting's rules and organizations.
    pub fn config(&self) -> &Config {
        &self.meeting.config
    }

    /// The effects asked for, in order.
    pub fn into_effects(self) -> Vec<Effect> {
        self.effects
    }

    /// Asks for an effect.
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Shows an error of the library on the message line (a store error names the
    /// meeting's `meeting.db`).
    pub fn fail(&mut self, error: &Error) {
        let dir = &self.meeting.config.dir;
        let text = Text::new(
            error.message_in_meeting(Lang::En, dir),
            error.message_in_meeting(Lang::Zh, dir),
        );
        self.warn_text(text);
    }

    /// Shows a warning from the strings table.
    pub fn warn(&mut self, text: S) {
        self.warn_text(text.text());
    }

    /// Shows a formatted warning.
    pub fn warn_text(&mut self, text: Text) {
        self.effect(Effect::Message(Message { text, error: true }));
    }

    /// Shows news.
    pub fn inform(&mut self, text: Text) {
        self.effect(Effect::Message(Message { text, error: false }));
    }

    /// Whether a message was asked for.
    pub fn has_message(&self) -> bool {
        self.effects
            .iter()
            .any(|effect| matches!(effect, Effect::Message(_)))
    }

    /// Opens a prompt asking for `kind`.
    pub fn ask(&mut self, kind: PromptKind) {
        self.effect(Effect::Open(Overlay::Prompt(Prompt::new(kind))));
    }

    /// Asks a yes/no question.
    pub fn confirm(&mut self, question: Question) {
        self.effect(Effect::Open(Overlay::Confirm(question)));
    }

    /// The store changed: the figures shown are read again.
    pub fn refresh(&mut self) {
        self.effect(Effect::Refresh);
    }

    /// Refuses a change on a finalised meeting with a message; true when refused.
    pub fn refuse_when_final(&mut self) -> bool {
        if self.counts.finalised {
            self.warn(S::FinalisedRefused);
        }
        self.counts.finalised || self.refuse_when_busy()
    }

    /// Refuses a change while an import runs (it holds the store until it commits); true
    /// when refused. A preview holds no lock: forms are saved meanwhile.
    pub fn refuse_when_busy(&mut self) -> bool {
        if self.importing {
            self.warn(S::BusyImporting);
        }
        self.importing
    }
}

/// What a tab draws from besides its own state: the meeting's rules and the figures, read-only.
#[derive(Clone, Copy)]
pub struct Shown<'a> {
    /// The meeting's rules and organizations.
    pub config: &'a Config,
    /// The UI language.
    pub lang: Lang,
    /// The status bar's counts.
    pub counts: &'a Counts,
    /// The live tally of the valid ballots.
    pub tally: &'a Tally,
    /// The live ranking.
    pub ranking: &'a Ranking,
    /// The store, to read (a time shown in local time).
    pub store: &'a Store,
}
