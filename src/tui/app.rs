//! The state of the terminal UI and the one place it changes: [`App::update`].
//!
//! A key press is turned into an [`Action`] by the key table ([`super::keymap`]) for the
//! scopes that are active, then handled here (global actions, prompts and questions) or by
//! the tab it belongs to. A tab owns its state and acts through a [`Context`] (the meeting's
//! use cases, the language and the figures shown); it asks for [`Effect`]s — a message, an
//! overlay, a re-read of the figures — which only the app applies. After every change the UI
//! re-reads the store's kept count (which the store carries along inside each change's
//! transaction, so no key press re-reads the ballots), and it follows changes made by other
//! processes through SQLite's data version. Rendering only reads this state
//! ([`super::view`]).

use super::ballots::{BallotsState, TakeOut};
use super::entry::EntryState;
use super::files_tab::FilesState;
use super::keymap::{self, Action, Scope};
use super::language;
use super::projector::ProjectorState;
use super::ranking_tab::{self, RankingState};
use super::strings::{self, S};
use super::tally_tab::TallyState;
use super::ui_state::{
    Context, Counts, Effect, Message, Overlay, Prompt, PromptKind, Question, Shown, Tab,
};
use super::verify::VerifyState;
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::meeting::Meeting;
use crate::ranking::{self, Ranking};
use crate::tally::Tally;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use std::time::Instant;

/// The state each tab owns.
struct Tabs {
    entry: EntryState,
    verify: VerifyState,
    ballots: BallotsState,
    tally: TallyState,
    ranking: RankingState,
    files: FilesState,
}

/// The whole state of the terminal UI.
pub struct App {
    /// The open meeting.
    meeting: Meeting,
    /// The UI language.
    lang: Lang,
    /// The tab shown.
    tab: Tab,
    /// What covers the tab.
    overlay: Overlay,
    /// The live tally of the valid ballots.
    tally: Tally,
    /// The ranking of the live tally.
    ranking: Ranking,
    /// The status bar's counts.
    counts: Counts,
    /// The message line.
    message: Option<Message>,
    /// A standing note of the status bar (e.g. that this is a copy of the demo).
    notice: Option<Text>,
    /// The serial and time of the last form saved here.
    last_saved: Option<(u64, Instant)>,
    /// The serials of the forms typed at this station in this run, oldest first: the only
    /// ones `u` offers to withdraw (an imported form is withdrawn from the Ballots tab).
    typed_here: Vec<u64>,
    /// Each tab's own state.
    tabs: Tabs,
    /// The projector view, when it covers the screen.
    projector: Option<ProjectorState>,
    /// Set when the app should end.
    quit: bool,
    /// Ctrl-C was pressed once over a half-typed form.
    interrupt_armed: bool,
    /// The store's data version when this UI last read it (see [`App::follow_store`]).
    seen_version: i64,
    /// When the store last changed without a checkpoint since (see [`App::checkpoint_when_idle`]).
    changed_at: Option<Instant>,
    /// The meeting's database could not be reached when last asked (see
    /// [`App::follow_store`]).
    offline: bool,
    /// The stations of a meeting in a database seen in the last minute, and when they were
    /// last asked for.
    stations: (Vec<String>, Option<Instant>),
}

impl App {
    /// Opens the UI on a meeting, in `lang`.
    pub fn new(meeting: Meeting, lang: Lang) -> Result<App> {
        let orgs = meeting.config.organizations.len();
        let count = meeting.store.count()?;
        let decisions = meeting.store.decisions()?;
        let figures = crate::scoring::figures(&meeting.config, &count.tally)?;
        let ranking = ranking::rank(&meeting.config, &figures, &decisions);
        let next_serial = meeting.store.max_serial()? + 1;
        let mut app = App {
            counts: Counts::read(&meeting.store, &count)?,
            tally: count.tally,
            ranking,
            meeting,
            lang,
            tab: Tab::Entry,
            overlay: Overlay::None,
            message: None,
            notice: None,
            last_saved: None,
            typed_here: Vec::new(),
            tabs: Tabs {
                entry: EntryState::new(orgs, next_serial),
                verify: VerifyState::new(orgs),
                ballots: BallotsState::default(),
                tally: TallyState::default(),
                ranking: RankingState::default(),
                files: FilesState::default(),
            },
            projector: None,
            quit: false,
            interrupt_armed: false,
            seen_version: 0,
            changed_at: None,
            offline: false,
            stations: (Vec::new(), None),
        };
        app.seen_version = app.meeting.store.data_version()?;
        app.tabs.entry.refresh_serial(&app.meeting);
        Ok(app)
    }

    /// Puts a standing note in the status bar (e.g. that this is a copy of the demo).
    pub fn set_notice(&mut self, notice: Text) {
        self.notice = Some(notice);
    }

    /// Opens the projector view, black on white when `light`.
    pub fn open_projector(&mut self, light: bool) {
        self.projector = Some(ProjectorState::new(light));
    }

    /// The open meeting.
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }

    /// The UI language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Shows the UI in `lang`.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The tab shown.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// What covers the tab.
    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }

    /// The live tally of the valid ballots.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The ranking of the live tally.
    pub fn ranking(&self) -> &Ranking {
        &self.ranking
    }

    /// The status bar's counts.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The message line.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The standing note of the status bar.
    pub fn notice(&self) -> Option<&Text> {
        self.notice.as_ref()
    }

    /// The serial and time of the last form saved here.
    pub fn last_saved(&self) -> Option<(u64, Instant)> {
        self.last_saved
    }

    /// The Entry tab's state.
    pub fn entry(&self) -> &EntryState {
        &self.tabs.entry
    }

    /// The Verify tab's state.
    pub fn verify(&self) -> &VerifyState {
        &self.tabs.verify
    }

    /// The Ballots tab's state.
    pub fn ballots(&self) -> &BallotsState {
        &self.tabs.ballots
    }

    /// The Tally tab's state.
    pub fn tally_view(&self) -> &TallyState {
        &self.tabs.tally
    }

    /// The Ranking tab's state.
    pub fn ranking_view(&self) -> &RankingState {
        &self.tabs.ranking
    }

    /// The Import/Export tab's state.
    pub fn files(&self) -> &FilesState {
        &self.tabs.files
    }

    /// The Import/Export tab's state, to change (a test sets a running import's clock).
    pub fn files_mut(&mut self) -> &mut FilesState {
        &mut self.tabs.files
    }

    /// The projector view, when it covers the screen.
    pub fn projector(&self) -> Option<&ProjectorState> {
        self.projector.as_ref()
    }

    /// Whether the app should end.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// What the tabs draw from besides their own state.
    pub fn shown(&self) -> Shown<'_> {
        Shown {
            config: &self.meeting.config,
            lang: self.lang,
            counts: &self.counts,
            tally: &self.tally,
            ranking: &self.ranking,
            store: &self.meeting.store,
        }
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

    /// Runs `act` on the tabs with a context over the meeting, then applies the effects it
    /// asked for.
    fn act(&mut self, act: impl FnOnce(&mut Tabs, &mut Context)) {
        let importing = self.tabs.files.importing();
        let mut cx = Context::new(
            &mut self.meeting,
            self.lang,
            &self.counts,
            &self.ranking,
            &self.typed_here,
            importing,
        );
        act(&mut self.tabs, &mut cx);
        let effects = cx.into_effects();
        self.apply(effects);
    }

    /// Applies what a tab asked for, in order; a failed re-read of the store is shown and
    /// ends the list (what came after it assumed the figures were read).
    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Message(message) => self.message = Some(message),
                Effect::Open(overlay) => self.overlay = overlay,
                Effect::Refresh => {
                    if let Err(e) = self.refresh() {
                        self.fail(&e);
                        return;
                    }
                }
                Effect::Reload => {
                    if let Err(e) = self.reload() {
                        self.fail(&e);
                        return;
                    }
                }
                Effect::Saved(serial) => {
                    self.typed_here.push(serial);
                    self.last_saved = Some((serial, Instant::now()));
                }
                Effect::WithdrewTyped(serial) => self.typed_here.retain(|&s| s != serial),
            }
        }
        // The ballots list on screen follows every change at once.
        if self.tab == Tab::Ballots {
            self.refresh_ballots();
        }
    }

    /// Reads the ballots list again when the store changed since it was read.
    fn refresh_ballots(&mut self) {
        if let Err(e) = self.tabs.ballots.refresh(&self.meeting) {
            self.fail(&e);
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
            Tab::Entry => self.tabs.entry.scope(),
            Tab::Verify => self.tabs.verify.scope(),
            Tab::Ballots => self.tabs.ballots.scope(),
            Tab::Tally => Scope::Tally,
            Tab::Ranking => Scope::Ranking,
            Tab::Files => self.tabs.files.scope(),
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
                    self.on_tab(action);
                }
            }
        }
    }

    fn on_tab(&mut self, action: Action) {
        match self.tab {
            Tab::Entry => self.act(|tabs, cx| tabs.entry.handle(action, cx)),
            Tab::Verify => self.act(|tabs, cx| tabs.verify.handle(action, cx)),
            Tab::Ballots => self.act(|tabs, cx| tabs.ballots.handle(action, cx)),
            Tab::Tally => self.tabs.tally.handle(
                action,
                self.meeting.config.organizations.len(),
                self.meeting.config.groups.len(),
            ),
            // The tally sheet is written as the Import/Export tab writes every export.
            Tab::Ranking if action == Action::ExportTallySheet => self.act(|tabs, cx| {
                tabs.files
                    .export(crate::meeting::files::ExportKind::TallySheet, false, cx)
            }),
            Tab::Ranking => self.act(|tabs, cx| tabs.ranking.handle(action, cx)),
            Tab::Files => self.act(|tabs, cx| tabs.files.handle(action, cx)),
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
            Action::ToggleLang => {
                self.lang = self.lang.toggled();
                // Remembered for the next start; a folder that cannot be written just
                // does not remember (see `language`).
                let _ = language::remember(&self.meeting.config.dir, self.lang);
            }
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
                self.overlay = Overlay::Prompt(Prompt::prefilled(PromptKind::Issued, input));
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
            Tab::Ballots => self.refresh_ballots(),
            Tab::Verify => self.act(|tabs, cx| tabs.verify.on_show(cx)),
            _ => {}
        }
    }

    /// Whether a form holds typed rows that are not saved.
    pub fn half_typed(&self) -> bool {
        self.tabs.entry.half_typed()
            || self.tabs.verify.half_typed()
            || self.tabs.ballots.half_typed()
    }

    fn on_prompt(&mut self, mut prompt: Prompt, action: Action) {
        match action {
            Action::Type(c) => {
                prompt.type_char(c);
                self.overlay = Overlay::Prompt(prompt);
            }
            Action::Erase => {
                prompt.erase();
                self.overlay = Overlay::Prompt(prompt);
            }
            Action::Back => self.overlay = Overlay::None,
            Action::Accept => {
                self.overlay = Overlay::None;
                let input = prompt.input.trim().to_string();
                match prompt.kind {
                    PromptKind::Issued => self.set_issued(&input),
                    PromptKind::Reopen => self.act(|_, cx| ranking_tab::reopen(&input, cx)),
                    PromptKind::SetAsideReason(serial) => self.act(|tabs, cx| {
                        tabs.ballots.take_out(serial, &input, TakeOut::SetAside, cx)
                    }),
                    PromptKind::WithdrawReason(serial) => self.act(|tabs, cx| {
                        tabs.ballots.take_out(serial, &input, TakeOut::Withdraw, cx)
                    }),
                    PromptKind::Clerk => self.act(|tabs, cx| tabs.verify.set_clerk(&input, cx)),
                    PromptKind::EditReason(serial, marks) => {
                        self.act(|tabs, cx| tabs.ballots.save_edit(serial, &marks, &input, cx))
                    }
                    PromptKind::Search => self.act(|tabs, cx| tabs.ballots.search(&input, cx)),
                    PromptKind::DecideReason { tier, orgs, .. } => {
                        self.act(|tabs, cx| tabs.ranking.decide(tier, &orgs, &input, cx))
                    }
                    PromptKind::UndecideReason { tier, .. } => {
                        self.act(|_, cx| ranking_tab::undecide(tier, &input, cx))
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
                    Question::SaveWithBlanks => self.act(|tabs, cx| tabs.entry.save(cx)),
                    Question::Quit => self.quit = true,
                    Question::Discard => match self.tab {
                        Tab::Entry => self.act(|tabs, cx| tabs.entry.discard(cx)),
                        Tab::Verify => self.act(|tabs, cx| tabs.verify.discard(cx)),
                        Tab::Ballots => self.tabs.ballots.discard(),
                        Tab::Tally | Tab::Ranking | Tab::Files => {}
                    },
                    Question::Finalise(_) => self.act(|_, cx| ranking_tab::finalise(cx)),
                    Question::Import => self.act(|tabs, cx| tabs.files.start_import(false, cx)),
                    Question::ExportVoid(kind) => {
                        self.act(|tabs, cx| tabs.files.export(kind, true, cx))
                    }
                    Question::Undo(serial) => self.act(|tabs, cx| tabs.entry.undo(serial, cx)),
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
    fn fail(&mut self, error: &Error) {
        self.message = Some(Message {
            text: Text::new(
                error.message_in_meeting(Lang::En, &self.meeting.config.dir),
                error.message_in_meeting(Lang::Zh, &self.meeting.config.dir),
            ),
            error: true,
        });
    }

    /// Shows a warning from the strings table.
    fn warn(&mut self, text: S) {
        self.message = Some(Message {
            text: text.text(),
            error: true,
        });
    }

    /// Shows news.
    pub fn inform(&mut self, text: Text) {
        self.message = Some(Message { text, error: false });
    }

    /// Refuses a change on a finalised meeting with a message; true when refused.
    fn refuse_when_final(&mut self) -> bool {
        if self.counts.finalised {
            self.warn(S::FinalisedRefused);
        }
        if self.counts.finalised {
            return true;
        }
        // An import holds the store until it commits; a preview holds no lock.
        if self.importing() {
            self.warn(S::BusyImporting);
            return true;
        }
        false
    }

    /// Re-reads what the screens show from the store after a change: the kept count (a
    /// few rows, carried along by every change, so no full pass), the decisions and the
    /// ranking. The UI keeps no count of its own: the store's is the one the exports use.
    fn refresh(&mut self) -> Result<()> {
        let count = self.meeting.store.count()?;
        self.counts = Counts::read(&self.meeting.store, &count)?;
        self.tally = count.tally;
        let decisions = self.meeting.store.decisions()?;
        let figures = crate::scoring::figures(&self.meeting.config, &self.tally)?;
        self.ranking = ranking::rank(&self.meeting.config, &figures, &decisions);
        self.tabs.ballots.stale = true;
        // A serial withdrawn or added anywhere may free or take the one in the Entry field.
        self.tabs.entry.refresh_serial(&self.meeting);
        self.seen_version = self.meeting.store.data_version()?;
        self.changed_at = Some(Instant::now());
        Ok(())
    }

    /// Two seconds after the last change, moves the `-wal` file's content into `meeting.db`,
    /// so a copy of `meeting.db` taken while the UI is open holds every saved form.
    fn checkpoint_when_idle(&mut self) {
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

    /// Re-reads everything from the store (after an import, or a change made elsewhere).
    fn reload(&mut self) -> Result<()> {
        self.refresh()?;
        self.act(|tabs, cx| {
            tabs.entry.follow_store(cx);
            tabs.verify.follow_store(cx);
        });
        Ok(())
    }

    /// Follows changes another process made to the store (an import from another terminal,
    /// another window): when the store changed since this UI last read it, everything is
    /// read again and the message line says so. Called at least once a second by the loop.
    ///
    /// For a meeting in a database this also notes the station as seen every few seconds,
    /// and notes when the server cannot be reached (the status bar says so; what is typed
    /// stays, to be saved again once it answers: the next poll connects again).
    pub fn follow_store(&mut self) {
        let changed = match self.meeting.store.data_version() {
            Ok(version) => {
                if std::mem::take(&mut self.offline) {
                    self.inform(strings::back_online());
                }
                if self.tabs.entry.save_waiting {
                    self.act(|tabs, cx| tabs.entry.save_what_waited(cx));
                }
                version != self.seen_version
            }
            Err(e) if e.is_offline() => {
                if !self.offline {
                    self.fail(&e);
                }
                self.offline = true;
                return;
            }
            Err(e) => {
                self.fail(&e);
                return;
            }
        };
        self.note_stations();
        // An import of this UI's own reloads when it is taken in; don't announce it twice.
        if !changed || self.busy() {
            return;
        }
        match self.reload() {
            Ok(()) => self.inform(S::ReloadedFromElsewhere.text()),
            Err(e) => self.fail(&e),
        }
    }

    /// Every few seconds, notes this station as seen and reads the stations seen in the
    /// last minute (a meeting in a database).
    fn note_stations(&mut self) {
        let due = self
            .stations
            .1
            .is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(10));
        if !due || !self.meeting.store.is_database() {
            return;
        }
        self.stations.1 = Some(Instant::now());
        match self.meeting.store.stations_seen() {
            Ok(seen) => self.stations.0 = seen,
            Err(e) => self.fail(&e),
        }
    }

    /// The stations of a meeting in a database seen in the last minute.
    pub fn stations(&self) -> &[String] {
        &self.stations.0
    }

    /// Whether the meeting's database could not be reached when last asked.
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// Whether background work is under way (an import or a preview).
    pub fn busy(&self) -> bool {
        self.tabs.files.busy()
    }

    /// Whether an import (not a preview) is under way: it holds the store's write lock.
    pub fn importing(&self) -> bool {
        self.tabs.files.importing()
    }

    /// Cancels background work and waits for it to end, `patience` at most; true when none
    /// is left. A cancelled import changes nothing; one that still runs when the process
    /// ends commits nothing either (its transaction dies with it).
    pub fn stop_jobs(&mut self, patience: std::time::Duration) -> bool {
        if !self.tabs.files.cancel_job(patience) {
            return false;
        }
        self.act(|tabs, cx| tabs.files.poll(true, cx));
        true
    }

    /// Takes in the result of background work that has finished.
    pub fn poll_jobs(&mut self) {
        self.act(|tabs, cx| tabs.files.poll(false, cx));
        self.follow_store();
        self.checkpoint_when_idle();
    }

    /// Waits for background work to finish and takes in its result (for tests and scripts).
    pub fn wait_for_jobs(&mut self) {
        self.act(|tabs, cx| tabs.files.poll(true, cx));
    }

    /// Moves every saved form from the `-wal` file into `meeting.db` (on the way out).
    pub fn checkpoint(&self) -> Result<()> {
        self.meeting.store.checkpoint()
    }
}
