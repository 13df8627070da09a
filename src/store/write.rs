//! Write transactions. Each write method is its own `IMMEDIATE` transaction, unless the caller opened one
//! with [`Workspace::transaction`]: then every write joins it, and all of them commit or none does.

use std::ops::Deref;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{AtPath, StoreError, Workspace};

/// The transaction one write method runs in: its own, or the caller's open one.
pub(super) enum Write<'a> {
    /// Begun by this write; committed by it.
    Own(Transaction<'a>),
    /// The enclosing [`Workspace::transaction`]; committed when that ends.
    Joined(&'a Connection),
}

impl Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Write::Own(tx) => tx,
            Write::Joined(conn) => conn,
        }
    }
}

impl Write<'_> {
    /// Commits a transaction of its own; a joined one commits with the enclosing transaction.
    pub(super) fn commit(self) -> rusqlite::Result<()> {
        match self {
            Write::Own(tx) => tx.commit(),
            Write::Joined(_) => Ok(()),
        }
    }
}

impl Workspace {
    /// Starts a write transaction, waiting (busy timeout) for other writers instead of failing; inside
    /// [`Workspace::transaction`] it joins the open one.
    pub(super) fn write(&self) -> Result<Write<'_>, StoreError> {
        if !self.conn.is_autocommit() {
            return Ok(Write::Joined(&self.conn));
        }
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate).map(Write::Own).at(&self.path)
    }

    /// Runs `f` as one write transaction: every write it makes joins it, and reads see those writes. It
    /// holds the write lock from the start (so what `f` checks stays true until it commits), commits
    /// when `f` succeeds and rolls back, leaving the workspace as it was, when `f` fails or panics.
    pub fn transaction<T, E: From<StoreError>>(&self, f: impl FnOnce(&Self) -> Result<T, E>) -> Result<T, E> {
        let tx = self.write()?;
        let out = f(self)?;
        tx.commit().at(&self.path)?;
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{DatasetInfo, StoreError, Workspace};

    #[test]
    fn a_failed_transaction_writes_nothing_and_a_good_one_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.cscore");
        let ws = Workspace::create(&path, &DatasetInfo::toy(3)).unwrap();
        let failed: Result<(), StoreError> = ws.transaction(|ws| {
            ws.set_config("a", "1")?;
            ws.set_proxy_scores("p", &[1.0, 2.0, 3.0])?;
            assert_eq!(ws.config("a")?.as_deref(), Some("1"), "reads see the transaction's writes");
            ws.set_proxy_scores("q", &[1.0])?; // wrong length: fails, so everything rolls back
            Ok(())
        });
        assert!(failed.is_err());
        let other = Workspace::open(&path).unwrap();
        assert_eq!(other.config("a").unwrap(), None);
        assert!(other.proxy_names().unwrap().is_empty());
        ws.transaction(|ws| -> Result<(), StoreError> {
            ws.set_config("a", "2")?;
            ws.transaction(|ws| ws.set_proxy_scores("p", &[1.0, 2.0, 3.0]))
        })
        .unwrap();
        assert_eq!(other.config("a").unwrap().as_deref(), Some("2"));
        assert_eq!(other.proxy_names().unwrap(), ["p"]);
        // Outside a transaction each write commits on its own again.
        ws.set_config("b", "3").unwrap();
        assert_eq!(other.config("b").unwrap().as_deref(), Some("3"));
    }
}
