//! The library's top-level error, and the exit code each kind maps to.

use crate::config::ConfigError;
use crate::data::DataError;
use crate::data::sample::SampleError;
use crate::diag::Diagnostics;
use crate::engine::EvalError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rules(#[from] Diagnostics),
    #[error(transparent)]
    Eval(#[from] EvalError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// 2 for what the user must fix in config, rules or arguments; 1 for data and
    /// evaluation failures.
    pub fn exit_code(&self) -> u8 {
        use crate::data::DataError;
        match self {
            Error::Config(_) | Error::Rules(_) | Error::Usage(_) => 2,
            // Pointing at a database, table or column that is not there is a setting to fix.
            Error::Data(
                DataError::Missing(_) | DataError::Source { .. } | DataError::NoIdColumn { .. },
            ) => 2,
            Error::Eval(_) | Error::Data(_) | Error::Sample(_) => 1,
        }
    }
}
