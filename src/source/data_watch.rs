//! Whether the customer database changed since a watch started (`watch`, `serve`): another
//! connection's commit, or the file replaced.

use super::ChangeWatch;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What the database looked like when the watch started: `PRAGMA data_version` on a
/// connection of its own (it changes when another connection commits) and the file's
/// identity, size and modification time (they change when the file is replaced).
pub(super) struct DataWatch {
    path: PathBuf,
    conn: Option<Connection>,
    data_version: Option<i64>,
    file: Option<FileStamp>,
}

#[derive(PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        })
    }
}

impl DataWatch {
    pub(super) fn new(path: &Path) -> DataWatch {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok();
        let data_version = conn.as_ref().and_then(data_version);
        DataWatch {
            path: path.to_path_buf(),
            conn,
            data_version,
            file: FileStamp::of(path),
        }
    }
}

impl ChangeWatch for DataWatch {
    /// Whether another connection committed to the database, or the file was replaced.
    fn changed(&self) -> bool {
        FileStamp::of(&self.path) != self.file
            || self.conn.as_ref().and_then(data_version) != self.data_version
    }
}

fn data_version(conn: &Connection) -> Option<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
}
