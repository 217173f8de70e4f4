//! Cross-checks of the ballots' lifecycle columns for `check`: each state is written by one
//! statement of [`super::states`] as a pair (`voided_at` with `void_kind`, `verified_at` with
//! `verified_by`), so a pair half set, a word no step writes, or a ballot both verified and
//! disputed was written outside tallyclerk, and `check` names its serial.

use super::db::{args, Cell, Db, Row};
use crate::error::{Result, Text};

/// The void kinds a step writes.
const VOID_KINDS: [&str; 2] = ["withdrawn", "set_aside"];
/// How a step verifies a ballot.
const VERIFIED_BY: [&str; 2] = ["agreed", "third_reading"];

/// The lifecycle columns of a ballot that counts (`voided_at` empty).
pub(super) struct CountedState<'a> {
    pub serial: i64,
    pub void_kind: Cell<'a>,
    pub verified_at: Cell<'a>,
    pub verified_by: Cell<'a>,
    pub dispute: Cell<'a>,
}

/// What is wrong with the lifecycle columns of a ballot that counts.
pub(super) fn counted_problems(state: &CountedState) -> Vec<Text> {
    let serial = state.serial;
    let mut problems = Vec::new();
    if !matches!(state.void_kind, Cell::Null) {
        let kind = shown(&state.void_kind);
        problems.push(outside(
            format!("ballot {serial} counts (its voided_at is empty), yet its void_kind is {kind}"),
            format!("评议表 {serial} 计入统计（voided_at 为空），但其 void_kind 为 {kind}"),
        ));
    }
    let verified_at = !matches!(state.verified_at, Cell::Null);
    match &state.verified_by {
        Cell::Null if verified_at => problems.push(outside(
            format!("ballot {serial} has a verified_at without a verified_by"),
            format!("评议表 {serial} 有 verified_at 却无 verified_by"),
        )),
        Cell::Null => {}
        by if !verified_at => {
            let by = shown(by);
            problems.push(outside(
                format!("ballot {serial} has a verified_by ({by}) without a verified_at"),
                format!("评议表 {serial} 有 verified_by（{by}）却无 verified_at"),
            ))
        }
        Cell::Text(by) if VERIFIED_BY.contains(by) => {}
        by => {
            let by = shown(by);
            problems.push(outside(
                format!("ballot {serial}: verified_by {by} is neither agreed nor third_reading"),
                format!("评议表 {serial}：verified_by {by} 既非 agreed 也非 third_reading"),
            ))
        }
    }
    if verified_at && !matches!(state.dispute, Cell::Null) {
        problems.push(outside(
            format!("ballot {serial} is both verified (verified_at) and disputed (dispute)"),
            format!("评议表 {serial} 既已核对（verified_at）又有争议（dispute）"),
        ));
    }
    problems
}

/// What is wrong with the void kind of a ballot taken out of the count (`voided_at` set).
pub(super) fn voided_problem(serial: i64, void_kind: &Cell) -> Option<Text> {
    match void_kind {
        Cell::Text(kind) if VOID_KINDS.contains(kind) => None,
        Cell::Null => Some(outside(
            format!("ballot {serial} was taken out of the count (voided_at) without a void_kind saying how (withdrawn or set_aside)"),
            format!("评议表 {serial} 已移出统计（voided_at），却无 void_kind 说明方式（withdrawn 或 set_aside）"),
        )),
        kind => {
            let kind = shown(kind);
            Some(outside(
                format!("ballot {serial}: void_kind {kind} is neither withdrawn nor set_aside"),
                format!("评议表 {serial}：void_kind {kind} 既非 withdrawn 也非 set_aside"),
            ))
        }
    }
}

/// The problems of the ballots taken out of the count, read through their own small index;
/// the batches they refer to are counted into `batches`.
pub(super) fn voided_problems(conn: &Db, batches: &mut BatchReferences) -> Result<Vec<Text>> {
    let mut problems = Vec::new();
    conn.query_each(
        &format!(
            "SELECT serial, void_kind, {} FROM ballots INDEXED BY ballots_voided
             WHERE voided_at IS NOT NULL ORDER BY serial",
            BatchReferences::COLUMNS
        ),
        args![],
        |row| {
            problems.extend(voided_problem(row.get(0)?, &row.cell(1)?));
            batches.count(row, 2)
        },
    )?;
    Ok(problems)
}

/// How many ballots refer to each import batch, and how many of them are not marked as
/// imported, counted on the passes `check` makes over the ballots anyway.
#[derive(Debug, Default)]
pub(super) struct BatchReferences(std::collections::BTreeMap<i64, (i64, i64)>);

impl BatchReferences {
    /// The columns [`BatchReferences::count`] reads: the batch, and whether the ballot is
    /// marked as imported.
    pub const COLUMNS: &'static str = "batch_id, source IN ('import', 'demo')";

    /// Counts the ballot of `row`, whose [`BatchReferences::COLUMNS`] start at `at`.
    pub fn count(&mut self, row: &Row, at: usize) -> Result<()> {
        if let Some(batch) = row.get::<Option<i64>>(at)? {
            let imported: bool = row.get(at + 1)?;
            let (ballots, not_imported) = self.0.entry(batch).or_default();
            *ballots += 1;
            *not_imported += i64::from(!imported);
        }
        Ok(())
    }
}

/// The import batches against the ballots that refer to them: as many as each batch
/// recorded writing, each marked as imported. Together with the ballot set's hash (the
/// group and marks of those that count) and [`super::covered::BALLOT_STATES`] (any ballot a
/// step touched), this covers an imported ballot no step touched.
pub(super) fn batch_problems(conn: &Db, batches: BatchReferences) -> Result<Vec<Text>> {
    let mut referring = batches.0;
    let mut problems = Vec::new();
    conn.query_each(
        "SELECT id, file_name, rows FROM import_batches ORDER BY id",
        args![],
        |row| {
            let (id, rows): (i64, i64) = (row.get(0)?, row.get(2)?);
            let file = crate::text::echo(row.text(1)?);
            let (count, not_imported) = referring.remove(&id).unwrap_or((0, 0));
            if count != rows {
                let wrote = crate::lang::count_en(rows, "ballot", "ballots");
                problems.push(outside(
                    format!("import batch {id} ({file}) wrote {wrote}, and {count} refer to it"),
                    format!("导入批次 {id}（{file}）写入 {rows} 份评议表，而引用它的有 {count} 份"),
                ));
            }
            if not_imported > 0 {
                let ballots = crate::lang::count_en(not_imported, "ballot", "ballots");
                problems.push(outside(
                    format!(
                        "{ballots} of import batch {id} ({file}) not marked as imported (source)"
                    ),
                    format!(
                        "导入批次 {id}（{file}）中有 {not_imported} 份评议表未标为导入（source）"
                    ),
                ));
            }
            Ok(())
        },
    )?;
    Ok(problems)
}

/// A stored value as a message shows it: text in quotes, anything else as what it is.
pub(super) fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Null => "empty".into(),
        Cell::Int(n) => n.to_string(),
        Cell::Real(x) => x.to_string(),
        Cell::Text(text) => format!("\"{}\"", crate::text::echo(text)),
        Cell::Blob(blob) => format!("a blob of {} bytes", blob.len()),
    }
}

/// A problem of a store changed outside tallyclerk.
fn outside(en: String, zh: String) -> Text {
    Text::new(
        format!("{en}: the store was changed outside tallyclerk"),
        format!("{zh}：数据库被 tallyclerk 以外的程序修改"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted<'a>(
        void_kind: Cell<'a>,
        verified_at: Cell<'a>,
        verified_by: Cell<'a>,
        dispute: Cell<'a>,
    ) -> Vec<String> {
        counted_problems(&CountedState {
            serial: 7,
            void_kind,
            verified_at,
            verified_by,
            dispute,
        })
        .into_iter()
        .map(|t| t.en)
        .collect()
    }

    const AT: Cell = Cell::Text("2026-01-01T09:00:00.000Z");

    #[test]
    fn every_state_a_step_writes_passes() {
        // Entered, verified by agreement, resolved by a third reading, disputed.
        assert!(counted(Cell::Null, Cell::Null, Cell::Null, Cell::Null).is_empty());
        assert!(counted(Cell::Null, AT, Cell::Text("agreed"), Cell::Null).is_empty());
        assert!(counted(Cell::Null, AT, Cell::Text("third_reading"), Cell::Null).is_empty());
        assert!(counted(Cell::Null, Cell::Null, Cell::Null, Cell::Text("{}")).is_empty());
        assert_eq!(voided_problem(7, &Cell::Text("withdrawn")), None);
        assert_eq!(voided_problem(7, &Cell::Text("set_aside")), None);
    }

    #[test]
    fn a_half_set_pair_or_an_unknown_word_is_named_with_the_serial() {
        assert_eq!(
            counted(Cell::Text("set_aside"), Cell::Null, Cell::Null, Cell::Null),
            ["ballot 7 counts (its voided_at is empty), yet its void_kind is \"set_aside\": the store was changed outside tallyclerk"]
        );
        assert_eq!(
            counted(Cell::Null, AT, Cell::Null, Cell::Null),
            ["ballot 7 has a verified_at without a verified_by: the store was changed outside tallyclerk"]
        );
        assert_eq!(
            counted(Cell::Null, Cell::Null, Cell::Text("agreed"), Cell::Null),
            ["ballot 7 has a verified_by (\"agreed\") without a verified_at: the store was changed outside tallyclerk"]
        );
        assert_eq!(
            counted(Cell::Null, AT, Cell::Int(1), Cell::Null),
            ["ballot 7: verified_by 1 is neither agreed nor third_reading: the store was changed outside tallyclerk"]
        );
        assert_eq!(
            counted(Cell::Null, AT, Cell::Text("agreed"), Cell::Text("{}")),
            ["ballot 7 is both verified (verified_at) and disputed (dispute): the store was changed outside tallyclerk"]
        );
        assert_eq!(
            voided_problem(7, &Cell::Null).unwrap().en,
            "ballot 7 was taken out of the count (voided_at) without a void_kind saying how (withdrawn or set_aside): the store was changed outside tallyclerk"
        );
        assert_eq!(
            voided_problem(7, &Cell::Text("lost")).unwrap().en,
            "ballot 7: void_kind \"lost\" is neither withdrawn nor set_aside: the store was changed outside tallyclerk"
        );
    }
}
