//! What every handler shares, and how handlers call the (synchronous) service.

use std::ops::Deref;
use std::sync::Arc;

use imprint_service::{Service, ServiceResult};

use crate::HttpConfig;
use crate::cp::session::Sessions;
use crate::error::ApiError;
use crate::guard::OriginPolicy;
use crate::mcp::McpMount;

/// Cheap to clone: one `Arc`.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

pub(crate) struct Shared {
    /// Acting as the person who started the server; handlers switch to the caller with
    /// `acting_as`.
    pub(crate) service: Service,
    pub(crate) config: HttpConfig,
    pub(crate) origins: OriginPolicy,
    pub(crate) sessions: Sessions,
    pub(crate) mcp: McpMount,
}

impl AppState {
    pub(crate) fn new(service: Service, config: HttpConfig) -> Self {
        let origins = OriginPolicy::new(&config);
        let sessions = Sessions::new(&config.public_url);
        Self(Arc::new(Shared {
            service,
            origins,
            sessions,
            mcp: McpMount::new(config.toolsets),
            config,
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Runs a service operation on tokio's blocking pool.
///
/// Service calls are synchronous and short (a SQLite read, or a write that ends in an
/// fsync), and the store serializes them behind one connection. Running them on the
/// async workers would let one fsync stall every connection on that worker; the
/// blocking pool keeps the workers answering (health checks, static pages, other
/// requests' I/O) while a publish commits. The hop costs a few microseconds.
pub(crate) async fn blocking<T, F>(operation: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> ServiceResult<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(operation).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(join_error) => Err(ApiError::internal(format!(
            "a service call did not finish: {join_error}"
        ))),
    }
}
