//! The state of the terminal UI and the one place it changes: [`App::update`].
//!
//! A key press is turned into an [`Action`] by the key table ([`super::keymap`]) for the
//! scopes that are active, then handled here (global actions, prompts and questions) or by
//! the tab it belongs to. After every change the UI re-reads the store's kept count (which the
//! store carries along inside each change's transaction, so no key press re-reads the
//! ballots), and it follows changes made by other processes through SQLite's data version. Rendering only reads this
//! state ([`super::view`]).

use super::ballots::{self, BallotsState};
use super::entry::{self, EntryState};
use super::files_tab::{self, FilesState};
use super::keymap::{self, Action, Scope};
use super::projector::ProjectorState;
use super::ranking_tab::{self, RankingState};
use super::strings::{self, S};
use super::tally_tab::TallyState;
use super::verify::{self, VerifyState};
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::meeting::lifecycle::FinaliseWarnings;
use crate::meeting::Meeting;
use crate::model::{Ballot, Mark};
use crate::ranking::{self, Decision, Ranking};
use crate::store::{Count, Source, Store, StoredBallot};
use crate::tally::Tally;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use std::time::Instant;

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
            Tab::Ballots => &[Scope::BallotsList, Scope::BallotDetail, Scope::BallotEdit],
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
    /// What was typed.
    pub input: String,
}

impl Prompt {
    fn digits_only(&self) -> bool {
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
    fn read(store: &Store, count: &Count) -> Result<Counts> {
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

/// The whole state of the terminal UI.
pub struct App {
    /// The open meeting.
    pub meeting: Meeting,
    /// The UI language.
    pub lang: Lang,
    /// The tab shown.
    pub tab: Tab,
    /// What covers the tab.
    pub overlay: Overlay,
    /// The live tally of the valid ballots.
    pub tally: Tally,
    /// The decisions recorded.
    pub decisions: Vec<Decision>,
    /// The ranking of the live tally.
    pub ranking: Ranking,
    /// The status bar's counts.
    pub counts: Counts,
    /// The message line.
    pub message: Option<Message>,
    /// A standing note of the status bar (e.g. that this is a copy of the demo).
    pub notice: Option<Text>,
    /// The serial and time of the last form saved here.
    pub last_saved: Option<(u64, Instant)>,
    /// Entry tab.
    pub entry: EntryState,
    /// Verify tab.
    pub verify: VerifyState,
    /// Ballots tab.
    pub ballots: BallotsState,
    /// Tally tab.
    pub tally_view: TallyState,
    /// Ranking tab.
    pub ranking_view: RankingState,
    /// Import/Export tab.
    pub files: FilesState,
    /// The projector view, when it covers the screen.
    pub projector: Option<ProjectorState>,
    /// Set when the app should end.
    pub quit: bool,
    /// Ctrl-C was pressed once over a half-typed form.
    interrupt_armed: bool,
    /// The store's data version when this UI last read it (see [`App::follow_store`]).
    seen_version: i64,
    /// When the store last changed without a checkpoint since (see [`App::checkpoint_when_idle`]).
    changed_at: Option<Instant>,
}

impl App {
    /// Opens the UI on a meeting, in `lang`.
    pub fn new(meeting: Meeting, lang: Lang) -> Result<App> {
        let orgs = meeting.config.organizations.len();
        let count = meeting.store.count()?;
        let decisions = meeting.store.decisions()?;
        let ranking = ranking::rank(&meeting.config, &count.tally, &decisions);
        let next_serial = meeting.store.max_serial()? + 1;
        let mut app = App {
            counts: Counts::read(&meeting.store, &count)?,
            tally: count.tally,
            ranking,
            decisions,
            meeting,
            lang,
            tab: Tab::Entry,
            overlay: Overlay::None,
            message: None,
            notice: None,
            last_saved: None,
            entry: EntryState::new(orgs, next_serial),
            verify: VerifyState::new(orgs),
            ballots: BallotsState::default(),
            tally_view: TallyState::default(),
            ranking_view: RankingState::default(),
            files: FilesState::default(),
            projector: None,
            quit: false,
            interrupt_armed: false,
            seen_version: 0,
            changed_at: None,
        };
        app.seen_version = app.meeting.store.data_version()?;
        entry::refresh_serial(&mut app);
        Ok(app)
    }

    /// Handles one terminal event. Only key presses matter (Windows also reports releases);
    /// a resize needs nothing, the next frame is drawn at the new size.
    pub fn update(&mut self, event: Event) {
        if let Event::Key(key) = event {
            if key.kind == KeyEventKind::Press {
                self.on_key(key);
            }
        }
    }

    /// The scopes whose keys are live now, most specific first.
    pub fn scopes(&self) -> Vec<Scope> {
        match &self.overlay {
            Overlay::Help => return vec![Scope::Help, Scope::Always],
            Overlay::Prompt(_) => return vec![Scope::Prompt, Scope::Always],
            Overlay::Confirm(_) => return vec![Scope::Confirm, Scope::Always],
            Overlay::None => {}
        }
        if self.projector.is_some() {
            return vec![Scope::Projector, Scope::Always];
        }
        let scope = match self.tab {
            Tab::Entry => entry::scope(self),
            Tab::Verify => verify::scope(self),
            Tab::Ballots => ballots::scope(self),
            Tab::Tally => Scope::Tally,
            Tab::Ranking => Scope::Ranking,
            Tab::Files => files_tab::scope(self),
        };
        // A field that takes any text hides the global letter keys.
        if scope == Scope::FilesInput {
            vec![scope, Scope::Always]
        } else {
            vec![scope, Scope::Global, Scope::Always]
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let scopes = self.scopes();
        let Some(action) = keymap::action_for(&scopes, &key, &self.meeting.config.scale) else {
            return;
        };
        if action != Action::Interrupt {
            self.interrupt_armed = false;
        }
        // A message stays while the clerk only changes the language or looks at the help.
        if !matches!(action, Action::ToggleLang | Action::ToggleHelp) {
            self.message = None;
        }
        match self.overlay.clone() {
            Overlay::Help => {
                if matches!(action, Action::ToggleHelp | Action::Back) {
                    self.overlay = Overlay::None;
                } else {
                    self.global(action);
                }
            }
            Overlay::Prompt(prompt) => self.on_prompt(prompt, action),
            Overlay::Confirm(question) => self.on_confirm(question, action),
            Overlay::None if self.projector.is_some() => self.on_projector(action),
            Overlay::None => {
                if !self.global(action) {
                    match self.tab {
                        Tab::Entry => entry::handle(self, action),
                        Tab::Verify => verify::handle(self, action),
                        Tab::Ballots => ballots::handle(self, action),
                        Tab::Tally => self.tally_view.handle(
                            action,
                            self.meeting.config.organizations.len(),
                            self.meeting.config.groups.len(),
                        ),
                        Tab::Ranking => ranking_tab::handle(self, action),
                        Tab::Files => files_tab::handle(self, action),
                    }
                }
            }
        }
    }

    fn on_projector(&mut self, action: Action) {
        let Some(projector) = &mut self.projector else {
            return;
        };
        if projector.handle(action, &self.ranking) {
            return;
        }
        match action {
            Action::CloseProjector => self.projector = None,
            _ => {
                self.global(action);
            }
        }
    }

    /// Handles the actions that mean the same on every tab; false when `action` is not one.
    fn global(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => {
                if self.half_typed() || self.importing() {
                    self.overlay = Overlay::Confirm(Question::Quit);
                } else {
                    self.quit = true;
                }
            }
            Action::Interrupt => {
                if (self.half_typed() || self.importing()) && !self.interrupt_armed {
                    self.interrupt_armed = true;
                    self.warn(if self.half_typed() {
                        S::InterruptAgain
                    } else {
                        S::InterruptImporting
                    });
                } else {
                    self.quit = true;
                }
            }
            Action::ToggleLang => self.lang = self.lang.toggled(),
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    Overlay::Help
                }
            }
            Action::NextTab => self.go_tab(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            Action::PrevTab => {
                self.go_tab(Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()])
            }
            Action::GoTab(i) => self.go_tab(Tab::ALL[i as usize % Tab::ALL.len()]),
            Action::OpenProjector => self.projector = Some(ProjectorState::new(false)),
            Action::SetIssued => {
                if self.refuse_when_final() {
                    return true;
                }
                let input = self
                    .counts
                    .issued
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                self.overlay = Overlay::Prompt(Prompt {
                    kind: PromptKind::Issued,
                    input,
                });
            }
            _ => return false,
        }
        true
    }

    /// Shows a tab, loading the ballots list when it is stale.
    pub fn go_tab(&mut self, tab: Tab) {
        self.overlay = Overlay::None;
        self.projector = None;
        self.tab = tab;
        match tab {
            Tab::Ballots => ballots::refresh(self),
            Tab::Verify => verify::on_show(self),
            _ => {}
        }
    }

    /// Whether a form holds typed rows that are not saved.
    pub fn half_typed(&self) -> bool {
        self.entry.form.touched() || verify::half_typed(self) || ballots::half_typed(self)
    }

    fn on_prompt(&mut self, mut prompt: Prompt, action: Action) {
        match action {
            Action::Type(c) => {
                if !prompt.digits_only() || c.is_ascii_digit() {
                    prompt.input.push(c);
                }
                self.overlay = Overlay::Prompt(prompt);
            }
            Action::Erase => {
                prompt.input.pop();
                self.overlay = Overlay::Prompt(prompt);
            }
            Action::Back => self.overlay = Overlay::None,
            Action::Accept => {
                self.overlay = Overlay::None;
                let input = prompt.input.trim().to_string();
                match prompt.kind {
                    PromptKind::Issued => self.set_issued(&input),
                    PromptKind::Reopen => ranking_tab::reopen(self, &input),
                    PromptKind::SetAsideReason(serial) => {
                        ballots::take_out(self, serial, &input, ballots::TakeOut::SetAside)
                    }
                    PromptKind::WithdrawReason(serial) => {
                        ballots::take_out(self, serial, &input, ballots::TakeOut::Withdraw)
                    }
                    PromptKind::Clerk => verify::set_clerk(self, &input),
                    PromptKind::EditReason(serial, marks) => {
                        ballots::save_edit(self, serial, &marks, &input)
                    }
                    PromptKind::Search => ballots::search(self, &input),
                    PromptKind::DecideReason { tier, orgs, .. } => {
                        ranking_tab::decide(self, tier, &orgs, &input)
                    }
                    PromptKind::UndecideReason { tier, .. } => {
                        ranking_tab::undecide(self, tier, &input)
                    }
                }
            }
            _ => {
                self.global(action);
            }
        }
    }

    fn on_confirm(&mut self, question: Question, action: Action) {
        match action {
            Action::Yes => {
                self.overlay = Overlay::None;
                match question {
                    Question::SaveWithBlanks => entry::save(self),
                    Question::Quit => self.quit = true,
                    Question::Finalise(_) => ranking_tab::finalise(self),
                    Question::Import => files_tab::start_import(self, false),
                    Question::ExportVoid(kind) => files_tab::export(self, kind, true),
                    Question::Undo(serial) => entry::undo(self, serial),
                }
            }
            Action::No => self.overlay = Overlay::None,
            _ => {
                self.global(action);
            }
        }
    }

    fn set_issued(&mut self, input: &str) {
        let Ok(issued) = input.parse::<u64>() else {
            self.warn(S::NumberNeeded);
            return;
        };
        match self.meeting.set_issued(issued) {
            Ok(()) => match self.refresh() {
                Ok(()) => self.inform(strings::issued_set(issued)),
                Err(e) => self.fail(&e),
            },
            Err(e) => self.fail(&e),
        }
    }

    /// Shows an error of the library on the message line.
    pub fn fail(&mut self, error: &Error) {
        self.message = Some(Message {
            text: Text::new(
                error.message_in_meeting(Lang::En, &self.meeting.config.dir),
                error.message_in_meeting(Lang::Zh, &self.meeting.config.dir),
            ),
            error: true,
        });
    }

    /// Shows a warning from the strings table.
    pub fn warn(&mut self, text: S) {
        self.message = Some(Message {
            text: text.text(),
            error: true,
        });
    }

    /// Shows a formatted warning.
    pub fn warn_text(&mut self, text: Text) {
        self.message = Some(Message { text, error: true });
    }

    /// Shows news.
    pub fn inform(&mut self, text: Text) {
        self.message = Some(Message { text, error: false });
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
        if self.importing() {
            self.warn(S::BusyImporting);
            return true;
        }
        false
    }

    /// Re-reads what the screens show from the store after a change: the kept count (a
    /// few rows, carried along by every change, so no full pass), the decisions and the
    /// ranking. The UI keeps no count of its own: the store's is the one the exports use.
    pub fn refresh(&mut self) -> Result<()> {
        let count = self.meeting.store.count()?;
        self.counts = Counts::read(&self.meeting.store, &count)?;
        self.tally = count.tally;
        self.decisions = self.meeting.store.decisions()?;
        self.ranking = ranking::rank(&self.meeting.config, &self.tally, &self.decisions);
        self.ballots.stale = true;
        self.seen_version = self.meeting.store.data_version()?;
        self.changed_at = Some(Instant::now());
        Ok(())
    }

    /// Two seconds after the last change, moves the `-wal` file's content into `meeting.db`,
    /// so a copy of `meeting.db` taken while the UI is open holds every saved form.
    pub fn checkpoint_when_idle(&mut self) {
        let idle = self
            .changed_at
            .is_some_and(|at| at.elapsed() >= std::time::Duration::from_secs(2));
        if idle && !self.busy() {
            self.changed_at = None;
            if let Err(e) = self.meeting.store.checkpoint() {
                self.fail(&e);
            }
        }
    }

    /// Stores a typed ballot durably and counts it.
    pub fn add_ballot(&mut self, ballot: &Ballot) -> Result<StoredBallot> {
        let stored = self.meeting.add(ballot, Source::Typed)?;
        self.refresh()?;
        self.last_saved = Some((stored.ballot.serial, Instant::now()));
        Ok(stored)
    }

    /// Replaces the marks of a ballot (audited, with its history kept) and recounts it.
    pub fn edit_ballot(&mut self, serial: u64, marks: &[Mark], reason: &str) -> Result<()> {
        let old = self
            .meeting
            .store
            .ballot(serial)?
            .ok_or_else(|| Error::Internal(format!("ballot {serial} vanished")))?;
        self.meeting
            .edit(serial, marks, old.ballot.group.as_deref(), reason)?;
        self.refresh()
    }

    /// Re-reads everything from the store (after an import, or a change made elsewhere).
    pub fn reload(&mut self) -> Result<()> {
        self.refresh()?;
        entry::follow_store(self);
        verify::follow_store(self);
        if self.tab == Tab::Ballots {
            ballots::refresh(self);
        }
        Ok(())
    }

    /// Follows changes another process made to the store (an import from another terminal,
    /// another window): when the store changed since this UI last read it, everything is
    /// read again and the message line says so. Called at least once a second by the loop.
    pub fn follow_store(&mut self) {
        let changed = match self.meeting.store.data_version() {
            Ok(version) => version != self.seen_version,
            Err(e) => {
                self.fail(&e);
                return;
            }
        };
        // An import of this UI's own reloads when it is taken in; don't announce it twice.
        if !changed || self.busy() {
            return;
        }
        match self.reload() {
            Ok(()) => self.inform(S::ReloadedFromElsewhere.text()),
            Err(e) => self.fail(&e),
        }
    }

    /// Whether background work is under way (an import or a preview).
    pub fn busy(&self) -> bool {
        self.files.job.is_some()
    }

    /// Whether an import (not a preview) is under way: it holds the store's write lock.
    pub fn importing(&self) -> bool {
        self.files.job.as_ref().is_some_and(|job| !job.dry_run)
    }

    /// Cancels background work and waits for it to end, `patience` at most; true when none
    /// is left. A cancelled import changes nothing; one that still runs when the process
    /// ends commits nothing either (its transaction dies with it).
    pub fn stop_jobs(&mut self, patience: std::time::Duration) -> bool {
        let deadline = Instant::now() + patience;
        if let Some(job) = &self.files.job {
            job.cancel.cancel();
        }
        while self.files.job.as_ref().is_some_and(|job| !job.finished()) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        files_tab::poll(self, true);
        true
    }

    /// Takes in the result of background work that has finished.
    pub fn poll_jobs(&mut self) {
        files_tab::poll(self, false);
        self.follow_store();
        self.checkpoint_when_idle();
    }

    /// Waits for background work to finish and takes in its result (for tests and scripts).
    pub fn wait_for_jobs(&mut self) {
        files_tab::poll(self, true);
    }
}
