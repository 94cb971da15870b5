//! The service error: one enum, classified by [`ErrorKind`] so every surface maps it in
//! exactly one place (MCP `isError`, HTTP status, CLI exit code).

use serde_json::Value;

/// What kind of failure this is, for the surfaces' mapping tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    Conflict,
    Unauthorized,
    Forbidden,
    /// A stored artifact failed verification: tampering or a lost key.
    Integrity,
    /// A file outside the store could not be read or written (permissions, disk);
    /// the message names the path and is safe to show.
    Io,
    /// A bug or a broken store; details go to the log, not to the caller.
    Internal,
}

impl ErrorKind {
    /// A stable machine-readable code (`{"error":{"code":…}}`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Integrity => "integrity",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
        }
    }
}

/// A failed operation. `Display` is for people and never holds secrets; `details`
/// carries structured context (validation issues, conflicting fields, drift).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    kind: ErrorKind,
    message: String,
    details: Option<Value>,
}

impl ServiceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn details(&self) -> Option<&Value> {
        self.details.as_ref()
    }
}

impl From<imprint_store::StoreError> for ServiceError {
    fn from(error: imprint_store::StoreError) -> Self {
        use imprint_store::StoreError;
        match error {
            StoreError::NotFound => ServiceError::not_found("not found"),
            StoreError::Conflict(message) => {
                ServiceError::conflict(format!("concurrent change: {message}; retry"))
            }
            StoreError::Other(message) => {
                ServiceError::internal(format!("storage failure: {message}"))
            }
        }
    }
}

impl From<imprint_config::ConfigError> for ServiceError {
    fn from(error: imprint_config::ConfigError) -> Self {
        use imprint_config::ConfigError;
        let kind = match &error {
            ConfigError::UnknownServer { .. } | ConfigError::UnknownClient { .. } => {
                ErrorKind::NotFound
            }
            _ => ErrorKind::InvalidInput,
        };
        ServiceError::new(kind, error.to_string())
    }
}

impl From<imprint_deploy::DeployError> for ServiceError {
    fn from(error: imprint_deploy::DeployError) -> Self {
        use imprint_deploy::DeployError;
        let (kind, details) = match &error {
            DeployError::Unmanaged { names, .. } => (
                ErrorKind::Conflict,
                Some(serde_json::json!({"unmanaged_servers": names})),
            ),
            DeployError::Drift { changes, .. } => (
                ErrorKind::Conflict,
                Some(serde_json::json!({"drift": changes})),
            ),
            DeployError::Parse { .. }
            | DeployError::Shape { .. }
            | DeployError::Unsupported { .. } => (ErrorKind::InvalidInput, None),
            DeployError::Io { .. } => (ErrorKind::Io, None),
        };
        let mut service_error = ServiceError::new(kind, error.to_string());
        service_error.details = details;
        service_error
    }
}

impl From<imprint_engine::EngineError> for ServiceError {
    fn from(error: imprint_engine::EngineError) -> Self {
        use imprint_engine::EngineError;
        let kind = match error {
            EngineError::IdMismatch { .. } | EngineError::BadSignature { .. } => {
                ErrorKind::Integrity
            }
            _ => ErrorKind::Internal,
        };
        ServiceError::new(kind, error.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
