//! Writing a batch's pages to disk while the batch is still being written.
//!
//! SQLite writes the pages of a big batch into the operating system's cache as it goes and has
//! them written to disk at the commit, with one `fsync`: for a million forms some 80 MB at
//! once, 0.06 to 0.09 s waited for at the very end of the import. A [`WriteBack`] asks now and
//! then, on a thread of its own, for what was written so far to go to disk, so that the commit
//! finds little left to write (0.015 s). It only moves writing earlier: the commit still syncs
//! the store, and a crash before the commit rolls the batch back as ever.
//!
//! It syncs the file system the meeting folder is on (Linux `syncfs`), not `meeting.db` itself:
//! a second handle of `meeting.db` would, once closed, drop the locks SQLite holds on the file
//! for this process (POSIX record locks belong to the process and the file, not the handle).
//! Elsewhere than on Linux there is no write-back and the commit writes all, as before.

use std::path::Path;
use std::sync::mpsc::SyncSender;

/// Asks for the store's file system to be written to disk in the background.
pub struct WriteBack {
    /// Wakes the thread; the thread ends once this is dropped and a sync under way is over.
    /// The batch does not wait for it: with much else to write on the same disk it may take
    /// longer than the commit, which syncs only the store.
    wake: SyncSender<()>,
}

impl WriteBack {
    /// Starts a write-back for the store at `path`; none when its folder cannot be opened (a
    /// store in memory) or where the system has no such sync.
    #[cfg(target_os = "linux")]
    pub fn of(path: &Path) -> Option<WriteBack> {
        let folder = std::fs::File::open(path.parent()?).ok()?;
        // One request waiting at most: asked again while one waits, the one waiting covers it.
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("write-back".into())
            .spawn(move || {
                for () in woken {
                    // An error here is the commit's to meet and report: its own sync writes
                    // the same pages.
                    let _ = rustix::fs::syncfs(&folder);
                }
            })
            .ok()?;
        Some(WriteBack { wake })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn of(_path: &Path) -> Option<WriteBack> {
        None
    }

    /// Asks for what was written so far to be written to disk, unless a request waits already.
    pub fn request(&self) {
        // Full: a request waits, and covers this one. Disconnected: the thread could not go
        // on, and the commit writes all.
        let _ = self.wake.try_send(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_back_takes_requests_without_waiting_and_none_is_made_without_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("meeting.db");
        std::fs::write(&store, b"pages").unwrap();
        let write_back = WriteBack::of(&store);
        assert_eq!(write_back.is_some(), cfg!(target_os = "linux"));
        // More requests than can wait: none blocks.
        for _ in 0..100 {
            write_back.iter().for_each(WriteBack::request);
        }
        assert!(WriteBack::of(Path::new("")).is_none());
        assert!(WriteBack::of(&dir.path().join("gone").join("meeting.db")).is_none());
    }
}
