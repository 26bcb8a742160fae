//! Operations on the data directory as a whole: a backup of it while the
//! server runs (`backup`, also on a schedule), the archive it is packed in
//! (`archive`), and putting one back (`restore`). `manage` reaches the
//! backup over the management socket; `cli` runs the restore, which needs
//! the server stopped.

pub mod archive;
pub mod backup;
#[cfg(test)]
pub mod fixtures;
pub mod restore;
