//! A ballot's lifecycle as a state machine: the pure rules of verification, withdrawal and
//! setting aside (the diagram, edge by edge, is in docs/ballot-states.md).
//!
//! ```text
//!               add (typed) / import
//!                        │
//!                        ▼
//!                     ENTERED ◄──────────── edit, from ENTERED, VERIFIED, DISPUTED, RESOLVED
//!                     │     │
//!      second keying  │     │  second keying
//!      agrees         │     │  differs
//!                     ▼     ▼
//!               VERIFIED   DISPUTED ◄──┐
//!                           │    │     │ further reading: a field
//!                           │    └─────┘ read differently every time
//!                           │
//!                           │ further reading settles every field
//!                           │ (a value read twice: two readings of three)
//!                           ▼
//!                        RESOLVED
//!
//!    ENTERED, VERIFIED, DISPUTED, RESOLVED ── withdraw ──► WITHDRAWN  (no paper: not collected)
//!    ENTERED, VERIFIED, DISPUTED, RESOLVED ── set aside ─► SET ASIDE  (paper void: collected)
//! ```
//!
//! A dispute is settled field by field (the voter group is a field like each row): a further
//! reading of a disputed field settles it when it repeats an earlier reading — two readings of
//! three agreeing, after a first and a second that differed. A field read differently every
//! time stays disputed and is asked again. Nothing else settles a dispute: no single key, no
//! choice between the readings shown.

use crate::error::Text;
use crate::model::Mark;

/// One reading of a paper form: its voter group and one mark per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The voter group read.
    pub group: Option<String>,
    /// The marks read, one per organization.
    pub marks: Vec<Mark>,
}

/// The readings of one field that did not agree, oldest first (the first keying first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement<T> {
    /// Every reading so far; no value appears twice.
    pub readings: Vec<T>,
}

impl<T: PartialEq + Clone> Disagreement<T> {
    /// A further reading: the value it settles on when it repeats an earlier reading, else the
    /// disagreement with this reading added.
    fn read(&self, value: &T) -> Result<T, Disagreement<T>> {
        if self.readings.contains(value) {
            return Ok(value.clone());
        }
        let mut readings = self.readings.clone();
        readings.push(value.clone());
        Err(Disagreement { readings })
    }
}

/// The fields of a form whose readings disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    /// The voter group, when its readings disagree.
    pub group: Option<Disagreement<Option<String>>>,
    /// The rows (organization indexes, ascending) whose readings disagree.
    pub rows: Vec<(usize, Disagreement<Mark>)>,
}

impl Dispute {
    /// The organization indexes of the disputed rows.
    pub fn row_indexes(&self) -> Vec<usize> {
        self.rows.iter().map(|(row, _)| *row).collect()
    }

    /// The values a full reading gives for the disputed fields.
    pub fn fields_of(&self, reading: &Reading) -> Fields {
        Fields {
            group: self.group.as_ref().map(|_| reading.group.clone()),
            rows: self
                .rows
                .iter()
                .filter_map(|(row, _)| reading.marks.get(*row).map(|mark| (*row, *mark)))
                .collect(),
        }
    }
}

/// Values for some fields of a form: the answers of a further reading, or what it settled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fields {
    /// The voter group, when it is one of the fields.
    pub group: Option<Option<String>>,
    /// Rows (organization index, mark), ascending.
    pub rows: Vec<(usize, Mark)>,
}

impl Fields {
    /// `reading` with these fields put in.
    pub fn applied_to(&self, reading: &Reading) -> Reading {
        let mut out = reading.clone();
        if let Some(group) = &self.group {
            out.group = group.clone();
        }
        for &(row, mark) in &self.rows {
            if let Some(slot) = out.marks.get_mut(row) {
                *slot = mark;
            }
        }
        out
    }

    fn mark(&self, row: usize) -> Option<Mark> {
        self.rows.iter().find(|(r, _)| *r == row).map(|(_, m)| *m)
    }
}

/// Where a ballot stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Keyed once (or changed since it was verified): waits for a second keying.
    Entered,
    /// A second, independent keying agreed with the first, group included.
    Verified,
    /// Disputed, then settled field by field by further readings.
    Resolved,
    /// The second keying differed: the differing fields wait for further readings.
    Disputed(Dispute),
    /// A keying mistake taken back: no paper behind it, not collected, not counted.
    Withdrawn,
    /// A paper form declared void: collected, kept and shown, not counted.
    SetAside,
}

/// Why a step of the lifecycle is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A second keying of a form already verified or resolved.
    AlreadyVerified,
    /// A second keying of a disputed form: only its differing fields are keyed again.
    Disputed,
    /// A further reading of a form that is not disputed.
    NotDisputed,
    /// A further reading that leaves out a disputed field.
    FieldsMissing,
    /// Any step of a withdrawn form.
    Withdrawn,
    /// Any step of a form set aside.
    SetAside,
}

impl Refusal {
    /// The refusal as shown, about the form `serial`.
    pub fn text(self, serial: u64) -> Text {
        match self {
            Refusal::AlreadyVerified => Text::new(
                format!("form {serial} is already verified"),
                format!("表格 {serial} 已核对"),
            ),
            Refusal::Disputed => Text::new(
                format!("form {serial} is disputed: key its differing rows again from the paper"),
                format!("表格 {serial} 有争议：请对照纸质表格重新录入不一致的行"),
            ),
            Refusal::NotDisputed => Text::new(
                format!("form {serial} is not disputed"),
                format!("表格 {serial} 没有争议"),
            ),
            Refusal::FieldsMissing => Text::new(
                format!("form {serial}: every disputed row must be keyed again"),
                format!("表格 {serial}：每个有争议的行都必须重新录入"),
            ),
            Refusal::Withdrawn => Text::new(
                format!("form {serial} was withdrawn"),
                format!("表格 {serial} 已撤回"),
            ),
            Refusal::SetAside => Text::new(
                format!("form {serial} was set aside"),
                format!("表格 {serial} 已作废搁置"),
            ),
        }
    }
}

/// What a further reading of a disputed form did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// [`State::Resolved`], or [`State::Disputed`] with the fields still disputed.
    pub state: State,
    /// The fields this reading settled, with the value each settled on.
    pub settled: Fields,
}

impl State {
    /// A ballot as first keyed or imported.
    pub fn entered() -> State {
        State::Entered
    }

    /// Whether the ballot counts in the tally (valid or not).
    pub fn counts(&self) -> bool {
        !matches!(self, State::Withdrawn | State::SetAside)
    }

    /// Whether a paper form stands behind the ballot: every state but withdrawn.
    pub fn collected(&self) -> bool {
        !matches!(self, State::Withdrawn)
    }

    /// Whether a second keying (and maybe further readings) confirmed the ballot.
    pub fn verified(&self) -> bool {
        matches!(self, State::Verified | State::Resolved)
    }

    fn refuse_if_out(&self) -> Result<(), Refusal> {
        match self {
            State::Withdrawn => Err(Refusal::Withdrawn),
            State::SetAside => Err(Refusal::SetAside),
            _ => Ok(()),
        }
    }

    /// Edge `edit`: any change of the marks or group makes the ballot unverified again (a
    /// dispute is dropped with it: the edit is a new first reading).
    pub fn edit(&self) -> Result<State, Refusal> {
        self.refuse_if_out()?;
        Ok(State::Entered)
    }

    /// Edge `withdraw`: a keying mistake taken back.
    pub fn withdraw(&self) -> Result<State, Refusal> {
        self.refuse_if_out()?;
        Ok(State::Withdrawn)
    }

    /// Edge `set aside`: the paper form declared void.
    pub fn set_aside(&self) -> Result<State, Refusal> {
        self.refuse_if_out()?;
        Ok(State::SetAside)
    }

    /// Edges `second keying agrees` and `second keying differs`: `second`, keyed without
    /// seeing `first`, is compared with it, group included.
    pub fn second_keying(&self, first: &Reading, second: &Reading) -> Result<State, Refusal> {
        self.refuse_if_out()?;
        match self {
            State::Verified | State::Resolved => return Err(Refusal::AlreadyVerified),
            State::Disputed(_) => return Err(Refusal::Disputed),
            _ => {}
        }
        let group = (first.group != second.group).then(|| Disagreement {
            readings: vec![first.group.clone(), second.group.clone()],
        });
        let rows: Vec<(usize, Disagreement<Mark>)> = first
            .marks
            .iter()
            .zip(&second.marks)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(row, (a, b))| {
                (
                    row,
                    Disagreement {
                        readings: vec![*a, *b],
                    },
                )
            })
            .collect();
        if group.is_none() && rows.is_empty() {
            Ok(State::Verified)
        } else {
            Ok(State::Disputed(Dispute { group, rows }))
        }
    }

    /// Edges `reading settles every field` and `a field still differs`: a further reading of
    /// the disputed fields, keyed from the paper without either reading shown. Each field it
    /// repeats an earlier reading of is settled on that value; the others stay disputed.
    pub fn further_reading(&self, answers: &Fields) -> Result<Settlement, Refusal> {
        self.refuse_if_out()?;
        let State::Disputed(dispute) = self else {
            return Err(Refusal::NotDisputed);
        };
        let group_answer = match (&dispute.group, &answers.group) {
            (Some(_), None) => return Err(Refusal::FieldsMissing),
            (Some(disagreement), Some(value)) => Some((disagreement, value)),
            (None, _) => None,
        };
        let mut row_answers = Vec::new();
        for (row, disagreement) in &dispute.rows {
            let mark = answers.mark(*row).ok_or(Refusal::FieldsMissing)?;
            row_answers.push((*row, disagreement, mark));
        }
        let mut settled = Fields::default();
        let mut rest = Dispute {
            group: None,
            rows: Vec::new(),
        };
        if let Some((disagreement, value)) = group_answer {
            match disagreement.read(value) {
                Ok(value) => settled.group = Some(value),
                Err(still) => rest.group = Some(still),
            }
        }
        for (row, disagreement, mark) in row_answers {
            match disagreement.read(&mark) {
                Ok(mark) => settled.rows.push((row, mark)),
                Err(still) => rest.rows.push((row, still)),
            }
        }
        let state = if rest.group.is_none() && rest.rows.is_empty() {
            State::Resolved
        } else {
            State::Disputed(rest)
        };
        Ok(Settlement { state, settled })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Mark = Mark::Option(0);
    const B: Mark = Mark::Option(1);
    const C: Mark = Mark::Option(2);

    fn reading(group: Option<&str>, marks: &[Mark]) -> Reading {
        Reading {
            group: group.map(str::to_string),
            marks: marks.to_vec(),
        }
    }

    fn disagreement<T: Clone>(readings: &[T]) -> Disagreement<T> {
        Disagreement {
            readings: readings.to_vec(),
        }
    }

    /// A dispute over row 1 (first read B, second C) and the group (first `g`, second none).
    fn disputed() -> State {
        State::Disputed(Dispute {
            group: Some(disagreement(&[Some("g".to_string()), None])),
            rows: vec![(1, disagreement(&[B, C]))],
        })
    }

    fn all_live() -> [State; 4] {
        [State::Entered, State::Verified, disputed(), State::Resolved]
    }

    #[test]
    fn add_enters() {
        let state = State::entered();
        assert_eq!(state, State::Entered);
        assert!(state.counts() && state.collected() && !state.verified());
    }

    #[test]
    fn entered_second_keying_agrees_to_verified() {
        let first = reading(Some("g"), &[A, B]);
        let state = State::Entered.second_keying(&first, &first.clone());
        assert_eq!(state, Ok(State::Verified));
        assert!(State::Verified.verified());
    }

    #[test]
    fn entered_second_keying_differs_to_disputed() {
        let first = reading(Some("g"), &[A, B, C]);
        let second = reading(None, &[A, C, C]);
        assert_eq!(
            State::Entered.second_keying(&first, &second),
            Ok(disputed())
        );
        // The group alone differing is a dispute too.
        let state = State::Entered.second_keying(&first, &reading(None, &[A, B, C]));
        let State::Disputed(dispute) = state.unwrap() else {
            panic!("not disputed")
        };
        assert!(dispute.rows.is_empty() && dispute.group.is_some());
    }

    #[test]
    fn disputed_reading_settles_every_field_to_resolved() {
        // Row 1: B, C, then C: the second reading's value, two of three. Group: g, none, g.
        let answers = Fields {
            group: Some(Some("g".to_string())),
            rows: vec![(1, C)],
        };
        let settlement = disputed().further_reading(&answers).unwrap();
        assert_eq!(settlement.state, State::Resolved);
        assert_eq!(settlement.settled, answers);
        assert!(State::Resolved.verified());
        let first = reading(Some("g"), &[A, B, C]);
        assert_eq!(
            settlement.settled.applied_to(&first),
            reading(Some("g"), &[A, C, C])
        );
    }

    #[test]
    fn disputed_reading_with_a_third_value_stays_disputed() {
        // Row 1 read A: B, C and A all differ, so it is asked again; the group settles.
        let answers = Fields {
            group: Some(None),
            rows: vec![(1, A)],
        };
        let settlement = disputed().further_reading(&answers).unwrap();
        assert_eq!(
            settlement.state,
            State::Disputed(Dispute {
                group: None,
                rows: vec![(1, disagreement(&[B, C, A]))],
            })
        );
        assert_eq!(
            settlement.settled,
            Fields {
                group: Some(None),
                rows: vec![],
            }
        );
        // A fourth reading repeating any of the three settles it.
        let again = settlement
            .state
            .further_reading(&Fields {
                group: None,
                rows: vec![(1, A)],
            })
            .unwrap();
        assert_eq!(again.state, State::Resolved);
        assert_eq!(again.settled.rows, vec![(1, A)]);
    }

    #[test]
    fn edit_makes_every_live_state_entered() {
        for state in all_live() {
            assert_eq!(state.edit(), Ok(State::Entered), "{state:?}");
        }
    }

    #[test]
    fn withdraw_from_every_live_state_leaves_no_paper() {
        for state in all_live() {
            let out = state.withdraw().unwrap();
            assert_eq!(out, State::Withdrawn);
            assert!(!out.counts() && !out.collected());
        }
    }

    #[test]
    fn set_aside_from_every_live_state_keeps_the_paper_collected() {
        for state in all_live() {
            let out = state.set_aside().unwrap();
            assert_eq!(out, State::SetAside);
            assert!(!out.counts() && out.collected());
        }
    }

    #[test]
    fn withdrawn_and_set_aside_forms_take_no_further_step() {
        let first = reading(None, &[A]);
        for (state, refusal) in [
            (State::Withdrawn, Refusal::Withdrawn),
            (State::SetAside, Refusal::SetAside),
        ] {
            assert_eq!(state.edit(), Err(refusal));
            assert_eq!(state.withdraw(), Err(refusal));
            assert_eq!(state.set_aside(), Err(refusal));
            assert_eq!(state.second_keying(&first, &first), Err(refusal));
            assert_eq!(
                state.further_reading(&Fields::default()).map(|s| s.state),
                Err(refusal)
            );
        }
    }

    #[test]
    fn a_second_keying_is_refused_once_verified_or_disputed() {
        let first = reading(None, &[A]);
        for state in [State::Verified, State::Resolved] {
            assert_eq!(
                state.second_keying(&first, &first),
                Err(Refusal::AlreadyVerified)
            );
        }
        assert_eq!(
            disputed().second_keying(&first, &first),
            Err(Refusal::Disputed)
        );
    }

    #[test]
    fn a_further_reading_needs_a_dispute_and_every_disputed_field() {
        let answers = Fields {
            group: Some(None),
            rows: vec![(1, B)],
        };
        for state in [State::Entered, State::Verified, State::Resolved] {
            assert_eq!(
                state.further_reading(&answers).map(|s| s.state),
                Err(Refusal::NotDisputed)
            );
        }
        let without_group = Fields {
            group: None,
            rows: vec![(1, B)],
        };
        let without_row = Fields {
            group: Some(None),
            rows: vec![(0, B)],
        };
        for partial in [without_group, without_row] {
            assert_eq!(
                disputed().further_reading(&partial).map(|s| s.state),
                Err(Refusal::FieldsMissing)
            );
        }
    }

    #[test]
    fn a_full_reading_gives_the_disputed_fields_only() {
        let State::Disputed(dispute) = disputed() else {
            unreachable!()
        };
        let fields = dispute.fields_of(&reading(Some("h"), &[C, A, B]));
        assert_eq!(
            fields,
            Fields {
                group: Some(Some("h".to_string())),
                rows: vec![(1, A)],
            }
        );
        assert_eq!(dispute.row_indexes(), vec![1]);
    }

    #[test]
    fn the_disputed_rows_are_listed_in_ascending_order() {
        // Rows 0 and 2 read differently, row 1 alike: the rows asked again are 0 and 2.
        let first = reading(None, &[A, B, C]);
        let second = reading(None, &[B, B, A]);
        let Ok(State::Disputed(dispute)) = State::Entered.second_keying(&first, &second) else {
            panic!("not disputed")
        };
        assert_eq!(dispute.row_indexes(), vec![0, 2]);
        assert_eq!(dispute.group, None);
    }
}
