//! The rows of a short list the meeting reads beside meeting.toml — its organizations, the
//! scores of a `[[composite]]` part — as clerks keep such lists: CSV in UTF-8 (with or without
//! BOM) or GB18030, or a workbook, read by the importer's sources. Blank rows are passed over;
//! each row comes with its line (the row of a sheet), which every problem names with the file.

use crate::error::{Error, Problem, Result, Text};
use crate::import::source::{self, Records, SourceOptions};

/// A list file being read row by row.
pub(super) struct ListFile<'a> {
    /// The file's name, for messages.
    file: &'a str,
    records: Records<'a>,
    record: csv::StringRecord,
}

impl<'a> ListFile<'a> {
    /// Opens the content `bytes` of the file named `file`.
    pub(super) fn open(file: &'a str, bytes: &'a [u8]) -> Result<ListFile<'a>> {
        let (records, _) =
            source::open(file, bytes, &SourceOptions::default()).map_err(|p| Error::problem(*p))?;
        Ok(ListFile {
            file,
            records,
            record: csv::StringRecord::new(),
        })
    }

    /// The next row with a cell that is not blank: its line and its cells as written.
    pub(super) fn next_row(&mut self) -> Result<Option<(u64, Vec<String>)>> {
        while let Some(line) = self
            .records
            .next(self.file, &mut self.record)
            .map_err(|p| Error::problem(*p))?
        {
            if !self.record.iter().all(|c| c.trim().is_empty()) {
                return Ok(Some((
                    line,
                    self.record.iter().map(str::to_string).collect(),
                )));
            }
        }
        Ok(None)
    }

    /// A problem with the file: at `line` (none: the file as a whole), in `column`, with
    /// `value`.
    pub(super) fn problem(
        &self,
        line: Option<u64>,
        column: Option<&str>,
        value: Option<&str>,
        why: Text,
    ) -> Error {
        Error::problem(Problem {
            file: self.file.to_string(),
            line,
            column: column.map(str::to_string),
            value: value.map(str::to_string),
            why,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_are_passed_over_and_rows_keep_their_file_lines() {
        let mut list = ListFile::open("list.csv", b"id,name\r\n\r\n , \r\nO1, A \r\nO2,B").unwrap();
        assert_eq!(
            list.next_row().unwrap(),
            Some((1, vec!["id".into(), "name".into()]))
        );
        // Lines 2 and 3 are blank; cells keep their spaces.
        assert_eq!(
            list.next_row().unwrap(),
            Some((4, vec!["O1".into(), " A ".into()]))
        );
        assert_eq!(
            list.next_row().unwrap(),
            Some((5, vec!["O2".into(), "B".into()]))
        );
        assert_eq!(list.next_row().unwrap(), None);
        let message = list
            .problem(Some(4), Some("name"), Some(" A "), Text::new("why", "为何"))
            .to_string();
        assert!(
            message.contains("list.csv") && message.contains('4') && message.contains("name"),
            "{message}"
        );
    }
}
